import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { AuditLog } from '../modules/audit/index.js';
import { paymentNotices, personNotifier } from '../modules/notifications/index.js';
import {
  type DebtorInput,
  type DisbursementProgress,
  debtorFor,
  disbursementRunner,
  disbursementStarter,
  merchantSettler,
  settlementFile,
  storedPayingAccount,
} from '../modules/payments/index.js';
import { textContacts } from '../modules/registry/index.js';
import { loadKeyStore } from '../platform/crypto/key-store.js';
import { openAppDatabase } from '../platform/db/database.js';

/** Where the command reads settings and writes; tests pass their own. */
export interface PaymentsCliContext {
  env: NodeJS.ProcessEnv;
  writeError(text: string): void;
  write(text: string): void;
}

const processContext: PaymentsCliContext = {
  env: process.env,
  writeError: (text) => process.stderr.write(text),
  write: (text) => process.stdout.write(text),
};

interface DisburseFlags {
  cycle: string;
  workers?: string;
  chunkEntitlements?: string;
  chunkPauseMs?: string;
  json?: boolean;
}

/**
 * `amparo payments disburse --cycle ID` (issue #16, point 4) pays a published cash cycle into
 * its beneficiaries' wallets, and resumes it when run again after a crash or a kill: each
 * chunk's transfers derive their ids from the entitlements, so what was paid is replayed by the
 * ledger, never paid twice. "Payment received" is queued in each chunk's transaction. Progress
 * goes to standard error, one line a chunk; it runs as the application role.
 *
 * @example
 *   // $ amparo payments disburse --cycle 6f1c…
 *   // Disbursement 2b9e… of cycle 6f1c…: finished, 184201 credited (…), 12 skipped, 0 refused.
 */
export function registerPaymentsCommands(
  program: Command,
  context: PaymentsCliContext = processContext,
): void {
  const payments = program
    .command('payments')
    .description('wallets, cash disbursement and merchant settlement');
  payments
    .command('disburse')
    .description('pay (or resume paying) a published cash cycle into wallets')
    .requiredOption('--cycle <id>', 'the cycle')
    .option('--workers <n>', 'chunks paid at once (default: limits.payments.disbursementWorkers)')
    .option('--chunk-entitlements <n>', 'entitlements per chunk, when the disbursement starts')
    .option('--chunk-pause-ms <ms>', 'wait after each chunk, leaving the database to other work')
    .option('--json', 'print one JSON object')
    .action(async (flags: DisburseFlags) => {
      const config = loadConfig(context.env);
      const keys = loadKeyStore(config.keysDir, config.masterKeyBase64);
      const handle = await openAppDatabase(config.database);
      // The texts' phone reads are audited (the registry's `textContacts`).
      const audit = await AuditLog.open({ db: handle.db, keys });
      try {
        const chunkEntitlements = optionalNumber(flags.chunkEntitlements, '--chunk-entitlements');
        const started = await disbursementStarter(handle.db, {
          cycleId: flags.cycle,
          operatorId: null,
          ...(chunkEntitlements === undefined ? {} : { chunkEntitlements }),
        });
        const workers = optionalNumber(flags.workers, '--workers');
        const pauseMs = optionalNumber(flags.chunkPauseMs, '--chunk-pause-ms') ?? 0;
        const notifier = personNotifier({
          masterKey: keys.masterKey,
          contacts: textContacts(keys.masterKey, audit),
        });
        const done = await disbursementRunner(handle.db, {
          disbursementId: started.id,
          ...(workers === undefined ? {} : { workers }),
          onWalletCredited: paymentNotices(notifier),
          onProgress: async (progress) => {
            context.writeError(
              `disbursement ${started.id}: chunk ${progress.chunksDone}/${progress.chunksTotal}\n`,
            );
            if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
          },
        });
        context.write(flags.json === true ? `${toJson(done)}\n` : describe(done));
      } finally {
        await audit.close();
        await handle.close();
      }
    });
  payments
    .command('settle-merchants')
    .description("settle a day's merchant balances and write the bank's pain.001 file")
    .requiredOption('--date <YYYY-MM-DD>', 'the business day settled (and the execution date)')
    .requiredOption('--currency <code>', 'VES or USD')
    .option('--debtor-name <name>', "checked against the stored paying account's holder")
    .option('--debtor-account <digits>', "checked against the stored paying account's 20 digits")
    .option('--debtor-bank <code>', "checked against the stored paying account's bank code")
    .requiredOption('--out <file>', 'where to write the pain.001.001.09 file')
    .action(async (flags: SettleFlags) => {
      if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(flags.date)) throw new Error('--date is YYYY-MM-DD');
      if (flags.currency !== 'VES' && flags.currency !== 'USD')
        throw new Error('--currency is VES or USD');
      const config = loadConfig(context.env);
      const keys = loadKeyStore(config.keysDir, config.masterKeyBase64);
      const handle = await openAppDatabase(config.database);
      try {
        // The stored paying account of the currency (payment.paying_account_set): the file
        // always debits it; flags, when given, must name that one. None stored: refused.
        const target = { scope: 'merchant_settlement', key: flags.currency } as const;
        const stored = await storedPayingAccount(handle.db, target);
        const named = stored === undefined ? undefined : debtorOfFlags(flags, stored);
        const debtor = await debtorFor(handle.db, target, named);
        const lines = await merchantSettler(handle.db, {
          settlementDate: flags.date,
          currency: flags.currency,
          debtor: { ...debtor, bankCode: debtor.bankCode ?? debtor.accountNumber.slice(0, 4) },
          // The command line acts for nobody in particular: the nil id, as the audit's system jobs.
          operatorId: '00000000-0000-0000-0000-000000000000',
          now: new Date(),
        });
        if (lines.length === 0) {
          context.write(
            `No merchant had a balance to settle on ${flags.date} (${flags.currency}).\n`,
          );
          return;
        }
        const xml = await settlementFile(handle.db, keys.masterKey, {
          settlementDate: flags.date,
          currency: flags.currency,
          now: new Date(),
        });
        writeFileSync(flags.out, xml);
        const total = lines.reduce((sum, line) => sum + line.amountMinor, 0n);
        context.write(
          `Settled ${lines.length} merchants on ${flags.date}: ${total} ${flags.currency} minor units; pain.001 written to ${flags.out}.\n`,
        );
      } finally {
        await handle.close();
      }
    });
}

interface SettleFlags {
  date: string;
  currency: string;
  debtorName?: string;
  debtorAccount?: string;
  debtorBank?: string;
  out: string;
}

/**
 * The debtor the flags name, each one left out taken from the stored account: any of them given
 * is compared with it (`debtorFor`), so `--debtor-account` without `--debtor-name` is not dropped
 * in favour of the stored one.
 */
function debtorOfFlags(flags: SettleFlags, stored: DebtorInput): DebtorInput | undefined {
  const { debtorName, debtorAccount, debtorBank } = flags;
  if (debtorName === undefined && debtorAccount === undefined && debtorBank === undefined)
    return undefined;
  return {
    name: debtorName ?? stored.name,
    accountNumber: debtorAccount ?? stored.accountNumber,
    bankCode: debtorBank,
  };
}

function describe(done: DisbursementProgress): string {
  return `Disbursement ${done.id} of cycle ${done.cycleId}: ${done.status}, ${done.creditedCount} credited (${done.creditedMinor} ${done.currency} minor units), ${done.skippedCount} skipped, ${done.refusedCount} refused; chunk ${done.chunksDone}/${done.chunksTotal}.\n`;
}

function toJson(done: DisbursementProgress): string {
  return JSON.stringify(done, (_key, value) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
}

function optionalNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`${flag} must be a whole number from 0, not "${text}"`);
  }
  return value;
}
