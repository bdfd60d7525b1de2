import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import {
  accountCreator,
  accountFlags,
  ledgerIsSound,
  ledgerLimits,
  type TransferInput,
  transferCreator,
  transferFlags,
  verifyLedger,
} from '../src/modules/ledger/index.js';
import type { Database } from '../src/platform/db/schema.js';
import { createThrowawayDatabase, loadAverage } from './audit-append.js';

/**
 * The hot funding account (issue #16, point 3; docs/LEDGER.md): disbursement batches from
 * several clients at once, every transfer debiting one program funding account and crediting
 * its own wallet, with the design (the funding row read unlocked and changed once, last) and
 * without it (every account locked when the batch starts). The two alternate in the same run
 * on the same database, and the ratio of their transfers per second is the result.
 *
 *   npm run bench -- ledger-hot-account [transfers=200000] [batch=1000] [clients=8] [rounds=2]
 *
 * `transfers` is per mode and round. Uses TEST_DATABASE_URL like the tests; the ledger is
 * verified (every balance recomputed from its transfers) at the end.
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const transfers = Number(args[0] ?? 200_000);
  const batchSize = Math.min(Number(args[1] ?? 1_000), ledgerLimits.transfersPerBatchMax);
  const clients = Number(args[2] ?? 8);
  const rounds = Number(args[3] ?? 2);
  const database = await createThrowawayDatabase(clients);
  try {
    const { funding, wallets } = await prepare(database.app, transfers);
    const perSecond: Record<'with' | 'without', number[]> = { with: [], without: [] };
    for (let round = 0; round < rounds; round += 1) {
      // Alternate which goes first, so neither always runs on the warmer database.
      const order =
        round % 2 === 0 ? (['without', 'with'] as const) : (['with', 'without'] as const);
      for (const mode of order) {
        const seconds = await disburse(database.app, funding, wallets, {
          batchSize,
          clients,
          deferHotAccounts: mode === 'with',
        });
        perSecond[mode].push(Math.round(transfers / seconds));
      }
    }
    const verification = await verifyLedger(database.app);
    const total = (values: number[]) => values.reduce((sum, value) => sum + value, 0);
    return {
      transfersPerModeAndRound: transfers,
      batchSize,
      clients,
      rounds,
      transfersPerSecondWith: perSecond.with,
      transfersPerSecondWithout: perSecond.without,
      ratioWithOverWithout: Number((total(perSecond.with) / total(perSecond.without)).toFixed(2)),
      ledgerVerified: ledgerIsSound(verification),
      transfersChecked: verification.transfersChecked,
      loadAverage: loadAverage(),
    };
  } finally {
    await database.drop();
  }
}

async function prepare(
  db: Kysely<Database>,
  wallets: number,
): Promise<{ funding: string; wallets: string[] }> {
  const bank = randomUUID();
  const funding = randomUUID();
  await accountCreator(db, [
    { id: bank, currency: 'VES', kind: 'settlement', flags: accountFlags.none },
    {
      id: funding,
      currency: 'VES',
      kind: 'program_funding',
      flags: accountFlags.debitsMustNotExceedCredits,
    },
  ]);
  await transferCreator(db, [
    {
      id: randomUUID(),
      debitAccountId: bank,
      creditAccountId: funding,
      amountMinor: 1n << 60n,
      flags: transferFlags.none,
      currency: 'VES',
      reason: 'funding',
    },
  ]);
  const ids = Array.from({ length: wallets }, () => randomUUID());
  for (let start = 0; start < ids.length; start += ledgerLimits.accountsPerBatchMax) {
    await accountCreator(
      db,
      ids.slice(start, start + ledgerLimits.accountsPerBatchMax).map((id) => ({
        id,
        currency: 'VES',
        kind: 'beneficiary_wallet',
        flags: accountFlags.debitsMustNotExceedCredits,
      })),
    );
  }
  return { funding, wallets: ids };
}

/** Seconds to credit every wallet once from the funding account, `clients` batches at a time. */
async function disburse(
  db: Kysely<Database>,
  funding: string,
  wallets: readonly string[],
  options: { batchSize: number; clients: number; deferHotAccounts: boolean },
): Promise<number> {
  const batches: TransferInput[][] = [];
  for (let start = 0; start < wallets.length; start += options.batchSize) {
    batches.push(
      wallets.slice(start, start + options.batchSize).map((wallet) => ({
        id: randomUUID(),
        debitAccountId: funding,
        creditAccountId: wallet,
        amountMinor: 50_000n,
        flags: transferFlags.none,
        currency: 'VES',
        reason: 'disbursement',
        referenceKind: 'entitlement',
        referenceId: randomUUID(),
      })),
    );
  }
  let next = 0;
  const started = performance.now();
  const client = async () => {
    for (let batch = batches[next++]; batch !== undefined; batch = batches[next++]) {
      const outcomes = await transferCreator(db, batch, {
        deferHotAccounts: options.deferHotAccounts,
      });
      const refused = outcomes.find((outcome) => outcome.result !== 'ok');
      if (refused !== undefined) throw new Error(`disbursement refused: ${refused.result}`);
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
  return (performance.now() - started) / 1000;
}
