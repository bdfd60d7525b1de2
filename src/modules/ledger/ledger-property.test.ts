import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import { withStallReport } from '../../../test/stall-report.js';
import { type AccountKind, transferFlags, zeroId } from './ledger-codes.js';
import { openAccount } from './ledger-test-kit.js';
import { ledgerIsSound, verifyLedger } from './ledger-verifier.js';
import { pendingExpirer } from './pending-expirer.js';
import { transferCreator } from './transfer-creator.js';
import type { TransferOutcome } from './transfer-engine.js';
import type { TransferInput } from './transfer-validation.js';

/**
 * Issue #16, point 2: random sequences of batches from several clients at once — plain,
 * pending, post and void transfers, linked chains, ids sent again with the same or another
 * body, expiry sweeps — and after each run the invariants hold: every balance equals the sum
 * of its transfers, debits equal credits, no account breaks its flags (verifyLedger); each
 * transfer is applied at most once and each pending transfer resolved at most once, whatever
 * the interleaving; and sending everything again changes nothing.
 */
const accountKinds: AccountKind[] = [
  'settlement',
  'program_funding',
  'program_funding',
  'beneficiary_wallet',
  'beneficiary_wallet',
  'beneficiary_wallet',
  'merchant',
  'suspense',
];
const slots = 18;

const operation = fc.record({
  kind: fc.constantFrom('plain', 'plain', 'pending', 'post', 'void'),
  slot: fc.nat(slots - 1),
  debit: fc.nat(accountKinds.length - 1),
  credit: fc.nat(accountKinds.length - 1),
  amount: fc.bigInt({ min: 0n, max: 400n }),
  linked: fc.constantFrom(false, false, false, true),
  timeout: fc.constantFrom(0, 0, 1, 3600),
  pendingSlot: fc.nat(slots - 1),
});
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;
const batch = fc.oneof(
  { weight: 9, arbitrary: fc.array(operation, { minLength: 1, maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constant('sweep' as const) },
);
const client = fc.array(batch, { minLength: 1, maxLength: 4 });
const prelude = fc.array(
  operation.map((op) => ({
    ...op,
    kind: 'pending' as const,
    linked: false,
    amount: op.amount + 1n,
    credit: (op.debit + 1 + (op.credit % (accountKinds.length - 1))) % accountKinds.length,
  })),
  { minLength: 3, maxLength: 8 },
);
const scenario = fc.tuple(prelude, fc.array(client, { minLength: 2, maxLength: 4 }));
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function toTransfer(op: Operation, ids: string[], accounts: string[]): TransferInput {
  // Ids in three thirds: pending transfers, the posts and voids that name one of them (so
  // they often find one), plain transfers. Within a third ids repeat, with the same body or
  // another.
  const third = slots / 3;
  const slot =
    { pending: 0, post: third, void: third, plain: 2 * third }[op.kind] + (op.slot % third);
  const id = ids[slot] ?? zeroId;
  const flags =
    (op.linked ? transferFlags.linked : 0) |
    {
      plain: 0,
      pending: transferFlags.pending,
      post: transferFlags.postPendingTransfer,
      void: transferFlags.voidPendingTransfer,
    }[op.kind];
  const resolving = op.kind === 'post' || op.kind === 'void';
  return {
    id,
    debitAccountId: resolving ? zeroId : (accounts[op.debit] ?? zeroId),
    creditAccountId: resolving ? zeroId : (accounts[op.credit] ?? zeroId),
    amountMinor: op.kind === 'void' ? 0n : op.amount,
    pendingId: resolving ? ids[op.pendingSlot % third] : undefined,
    flags,
    timeoutSeconds: op.kind === 'pending' ? op.timeout : 0,
    currency: 'VES',
    reason: 'payment',
  };
}

const tally = new Map<string, number>();

/**
 * One run takes about 0.1 s on a quiet machine and a few seconds at load 20: a run still going
 * after this long is stuck, and fails with what waits on what (`withStallReport`) and, from
 * fast-check, the seed and path that replay its scenario.
 */
const runStallMs = 60_000;

describe('ledger invariants under random concurrent batches', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database?.close());

  it('holds for every interleaving tried', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, fc.boolean(), (drawn, deferHotAccounts) => {
        const progress = drawn[1].map(() => 'not started');
        return withStallReport(database, { afterMs: runStallMs, progress: () => progress }, () =>
          checkRun(database, drawn, deferHotAccounts, progress),
        );
      }),
      // No shrinking: the clients' interleaving is not part of the scenario, so a smaller
      // scenario rarely fails the same way, and shrinking a one-in-hundreds race ran past the
      // test's limit (twice). The first failure is reported as it was, with its seed and path.
      { numRuns: 12, endOnFailure: true },
    );
    // The runs reached what they are meant to test: posts and voids that found their pending
    // transfer, and ones refused because another got there first or the timeout passed.
    const seen = (pattern: RegExp) =>
      [...tally].filter(([key]) => pattern.test(key)).reduce((sum, [, count]) => sum + count, 0);
    expect(seen(/^0:ok$/)).toBeGreaterThan(0);
    expect(seen(/^4:ok$/)).toBeGreaterThan(0);
    expect(seen(/^8:ok$/)).toBeGreaterThan(0);
    expect(seen(/already_(posted|voided)|expired/)).toBeGreaterThan(0);
    expect(seen(/exists_with_different|id_already_failed/)).toBeGreaterThan(0);
  }, 600_000);
});

/**
 * One run: opens and funds fresh accounts, holds some money pending, lets the clients send
 * their batches at once, then checks the invariants and sends everything again. `progress`
 * says where each client stands (for the report of a run that stalls).
 */
async function checkRun(
  database: TestDatabase,
  [pendings, clients]: Scenario,
  deferHotAccounts: boolean,
  progress: string[],
): Promise<void> {
  const accounts: string[] = [];
  for (const kind of accountKinds) accounts.push(await openAccount(database.db, kind));
  const ids = Array.from({ length: slots }, () => randomUUID());
  const seeded = await transferCreator(
    database.db,
    accounts.slice(1).map((account) => ({
      id: randomUUID(),
      debitAccountId: accounts[0] ?? zeroId,
      creditAccountId: account,
      amountMinor: 600n,
      flags: 0,
      currency: 'VES',
      reason: 'funding',
    })),
  );
  expect(seeded.map((outcome) => outcome.result)).toEqual(accounts.slice(1).map(() => 'ok'));
  const base = Date.now();
  const sent: Array<{ transfers: TransferInput[]; outcomes: TransferOutcome[] }> = [];
  const held = pendings.map((op) => toTransfer(op, ids, accounts));
  sent.push({
    transfers: held,
    outcomes: await transferCreator(database.db, held, { now: new Date(base) }),
  });
  await Promise.all(
    clients.map(async (batches, clientIndex) => {
      for (const [batchIndex, work] of batches.entries()) {
        progress[clientIndex] = `batch ${batchIndex + 1} of ${batches.length}`;
        const now = new Date(base + (batchIndex * 2 + clientIndex) * 1000);
        if (work === 'sweep') {
          const outcomes = await pendingExpirer(database.db, now);
          // A client may resolve a pending transfer between the sweep's read and its
          // write: then the sweep's void is refused as already resolved (or expired, by another sweep), nothing else.
          for (const outcome of outcomes) {
            expect(outcome.result).toMatch(
              /^(ok|pending_transfer_already_(posted|voided)|pending_transfer_expired)$/,
            );
          }
          continue;
        }
        const transfers = work.map((op) => toTransfer(op, ids, accounts));
        const outcomes = await transferCreator(database.db, transfers, {
          now,
          deferHotAccounts,
        });
        sent.push({ transfers, outcomes });
      }
      progress[clientIndex] = 'done';
    }),
  );
  progress.push('verifying, then sending everything again');
  const verification = await verifyLedger(database.db);
  expect(verification).toMatchObject({
    balanceMismatches: [],
    unbalancedCurrencies: [],
    flagViolations: [],
    strayTransfers: [],
    badResolutions: [],
  });
  expect(ledgerIsSound(verification)).toBe(true);
  assertAppliedOnce(sent);
  for (const { transfers, outcomes } of sent) {
    for (const [index, outcome] of outcomes.entries()) {
      const kind = (transfers[index]?.flags ?? 0) & 14;
      const key = `${kind}:${outcome.result}${outcome.replayed ? ':replayed' : ''}`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
  }
  await sendAgain(database.db, sent, ids, new Date(base));
  expect(await verifyLedger(database.db)).toEqual({
    ...verification,
    transfersChecked: verification.transfersChecked,
  });
}

/** Everything again: nothing changes, every stored answer comes back as it was. */
async function sendAgain(
  db: TestDatabase['db'],
  sent: ReadonlyArray<{ transfers: TransferInput[]; outcomes: TransferOutcome[] }>,
  ids: string[],
  now: Date,
): Promise<void> {
  const rows = new Map(
    (
      await db
        .selectFrom('ledger_transfer')
        .select(['id', 'result'])
        .where('id', 'in', ids)
        .execute()
    ).map((row) => [row.id, row.result]),
  );
  // A transfer answered `linked_event_failed` was not written (as in TigerBeetle, the
  // client may mend its chain and send the same ids again), so a batch holding one may
  // legitimately apply now that the ledger has moved on: only the others are resent.
  const resent = sent.filter(({ outcomes }) =>
    outcomes.every((outcome) => outcome.result !== 'linked_event_failed'),
  );
  for (const { transfers } of resent) {
    const again = await transferCreator(db, transfers, { now });
    for (const [index, outcome] of again.entries()) {
      const stored = rows.get(transfers[index]?.id ?? '');
      if (outcome.replayed) expect(outcome.result).toBe(stored);
      if (outcome.result === 'ok') expect(outcome.replayed).toBe(true);
    }
  }
}

/** No id applied twice and no pending transfer resolved twice, across every client's answers. */
function assertAppliedOnce(
  sent: Array<{ transfers: TransferInput[]; outcomes: TransferOutcome[] }>,
): void {
  const applied = new Map<string, number>();
  const resolved = new Map<string, number>();
  for (const { transfers, outcomes } of sent) {
    for (const [index, outcome] of outcomes.entries()) {
      if (outcome.result !== 'ok' || outcome.replayed) continue;
      applied.set(outcome.id, (applied.get(outcome.id) ?? 0) + 1);
      const pendingId = transfers[index]?.pendingId;
      if (pendingId !== undefined) resolved.set(pendingId, (resolved.get(pendingId) ?? 0) + 1);
    }
  }
  for (const [id, count] of applied) expect(count, `transfer ${id} applied once`).toBe(1);
  for (const [id, count] of resolved) expect(count, `pending ${id} resolved once`).toBe(1);
}
