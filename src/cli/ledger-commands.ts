import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { type LedgerVerification, ledgerIsSound, verifyLedger } from '../modules/ledger/index.js';
import { openAppDatabase } from '../platform/db/database.js';

/** Where the command reads settings and writes its report; tests pass their own. */
export interface LedgerCliContext {
  env: NodeJS.ProcessEnv;
  write(text: string): void;
  setExitCode(code: number): void;
}

const processContext: LedgerCliContext = {
  env: process.env,
  write: (text) => process.stdout.write(text),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

/**
 * `amparo ledger verify [--json]` (issue #16, point 8) recomputes every balance from the
 * transfers and checks the ledger's invariants (debits equal credits per currency, flags,
 * each pending transfer resolved at most once). It reads money tables only, as the
 * application role, and exits 0 when the ledger is sound, 1 when it is not.
 *
 * @example
 * // $ amparo ledger verify
 * // Ledger sound: 12 accounts, 3456 transfers checked.
 */
export function registerLedgerCommands(
  program: Command,
  context: LedgerCliContext = processContext,
): void {
  const ledger = program.command('ledger').description('the double-entry ledger of money');
  ledger
    .command('verify')
    .description('recompute every balance from the transfers and check the invariants')
    .option('--json', 'print the report as JSON')
    .action(async (flags: { json?: boolean }) => {
      const handle = await openAppDatabase(loadConfig(context.env).database);
      let report: LedgerVerification;
      try {
        report = await verifyLedger(handle.db);
      } finally {
        await handle.close();
      }
      const sound = ledgerIsSound(report);
      context.write(flags.json === true ? `${toJson(report, sound)}\n` : describe(report, sound));
      context.setExitCode(sound ? 0 : 1);
    });
}

function toJson(report: LedgerVerification, sound: boolean): string {
  return JSON.stringify({ sound, ...report }, (_key, value) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
}

function describe(report: LedgerVerification, sound: boolean): string {
  const checked = `${report.accountsChecked} accounts, ${report.transfersChecked} transfers checked`;
  if (sound) return `Ledger sound: ${checked}.\n`;
  const lines = [`Ledger NOT sound: ${checked}.`];
  for (const { accountId, stored, summed } of report.balanceMismatches)
    lines.push(
      `  account ${accountId}: stored balances ${stored.join('/')} but its transfers sum to ${summed.join('/')} (debits pending/posted, credits pending/posted)`,
    );
  for (const { currency, debits, credits } of report.unbalancedCurrencies)
    lines.push(
      `  currency ${currency}: debits ${debits.join('/')} differ from credits ${credits.join('/')} (pending/posted)`,
    );
  for (const id of report.flagViolations)
    lines.push(`  account ${id}: breaks its flags or holds a negative balance`);
  for (const id of report.strayTransfers)
    lines.push(`  transfer ${id}: names an unknown account or one of another currency`);
  for (const id of report.badResolutions)
    lines.push(`  pending transfer ${id}: resolved more than once, or by a mismatched post/void`);
  return `${lines.join('\n')}\n`;
}
