import { randomBytes } from 'node:crypto';
import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../../../test/db.js';
import { ledgerIsSound, verifyLedger } from '../../ledger/index.js';
import { publishedCycle } from '../../programs/programs-test-kit.js';
import { disbursementRunner } from '../disbursement/disbursement-runner.js';
import { disbursementStarter } from '../disbursement/disbursement-starter.js';
import type { PaymentsContext } from '../payments-context.js';
import { openCashEntitlements } from '../payments-test-kit.js';
import { payoutBatchCanceller } from './batch-canceller.js';
import { type PayoutBatchInput, payoutBatchCreator } from './batch-creator.js';
import { batchSummary, payoutFileReader } from './batch-reader.js';
import { payoutBatchResumer } from './batch-resumer.js';
import { validatePain001 } from './iso20022/xsd-validator.js';
import type { PayoutDependencies } from './payout-gate.js';
import { payoutPendingId, payoutVoidId } from './payout-ids.js';
import {
  approvedForTest,
  type CashPayoutScene,
  cashPayoutScene,
  testBatchInput,
} from './payout-test-kit.js';

/**
 * Issue #16: a payout batch interrupted while it is being made (its payments written and
 * reserved in the ledger, its file not yet), which the finance officer cancels and then makes
 * again. Nothing is paid twice (one live payment per entitlement, one reservation each),
 * nothing is lost (every cancelled reservation voided, every entitlement payable again) and
 * the ledger verifies clean — also when the cancellation meets a resumption of the same batch.
 */
describe('a payout batch interrupted, cancelled and made again', () => {
  let database: TestDatabase;
  let deps: PayoutDependencies;
  const masterKey = randomBytes(32);
  const amount = 25_00n;
  let programId: string;
  let cycleId: string;
  let entitlements: CashPayoutScene['entitlements'];
  let reserved: CashPayoutScene['reserved'];
  let statuses: CashPayoutScene['statuses'];
  const context: PaymentsContext = {
    actor: { kind: 'system', job: 'batch-cancel-test' },
    purpose: 'distribution',
    requestId: 'batch-cancel-test',
  };

  beforeAll(async () => {
    ({ database, deps, programId, cycleId, entitlements, reserved, statuses } =
      await cashPayoutScene({
        masterKey,
        persons: 8,
        code: 'bono_corte',
        amountMinor: amount,
        fundedMinor: 1_000_00n,
      }));
  });
  afterAll(async () => database?.close());

  const batch = (paid: ReadonlyArray<{ entitlementId: string }>, clientId?: string) =>
    testBatchInput(
      programId,
      paid.map(({ entitlementId }) => ({ entitlementId, amountMinor: amount })),
      clientId,
    );
  /**
   * The process dies after the reservations committed and before the file is kept: the first
   * update of a payout batch (the file's hash, in its own transaction) never happens.
   */
  const interrupted = async (
    input: PayoutBatchInput,
    preparationLeaseMs?: number,
  ): Promise<string> => {
    const crash: KyselyPlugin = {
      transformQuery: ({ node }): RootOperationNode => {
        if (node.kind === 'UpdateQueryNode' && JSON.stringify(node).includes('"payout_batch"'))
          throw new Error('killed while making the batch');
        return node;
      },
      transformResult: async ({ result }) => result,
    };
    await expect(
      payoutBatchCreator(
        {
          ...deps,
          db: deps.db.withPlugin(crash),
          ...(preparationLeaseMs === undefined ? {} : { preparationLeaseMs }),
        },
        context,
        input,
      ),
    ).rejects.toThrow('killed while making the batch');
    const made = await database.db
      .selectFrom('payout_batch')
      .select(['id', 'status'])
      .where('client_id', '=', input.clientId)
      .executeTakeFirstOrThrow();
    expect(made.status).toBe('preparing');
    return made.id;
  };
  it('voids the half-made batch, answers it cancelled when it is sent again, and pays each entitlement once in the new batch', async () => {
    const paid = entitlements.slice(0, 3);
    const first = batch(paid);
    const halfMade = await interrupted(first);
    expect(await reserved()).toBe(3n * amount);
    // Its entitlements are held by the half-made batch: a new batch cannot take them yet.
    await expect(payoutBatchCreator(deps, context, batch(paid))).rejects.toMatchObject({
      code: 'AMP_PAYOUT_INSTRUCTION_INVALID',
    });

    const cancelled = await payoutBatchCanceller(deps, context, halfMade);
    expect(cancelled).toMatchObject({ status: 'cancelled', fileSha256: null });
    expect(cancelled.cancelledAt).toBeInstanceOf(Date);
    expect(cancelled.byStatus).toEqual([
      { status: 'cancelled', count: 3, amountMinor: 3n * amount },
    ]);
    expect(await reserved()).toBe(0n);
    const instructionIds = (
      await database.db
        .selectFrom('payout_instruction')
        .select('id')
        .where('batch_id', '=', halfMade)
        .execute()
    ).map((row) => row.id);
    const voids = await database.db
      .selectFrom('ledger_transfer')
      .select(['id', 'result'])
      .where('id', 'in', instructionIds.map(payoutVoidId))
      .execute();
    expect(voids.map((row) => row.result)).toEqual(['ok', 'ok', 'ok']);

    // Cancelling again, or the first request arriving again, changes nothing.
    expect((await payoutBatchCanceller(deps, context, halfMade)).status).toBe('cancelled');
    expect((await payoutBatchCreator(deps, context, first)).status).toBe('cancelled');
    expect(await reserved()).toBe(0n);
    await expect(payoutFileReader(deps, context, halfMade)).rejects.toMatchObject({
      code: 'AMP_CONFLICT',
    });

    const again = await payoutBatchCreator(deps, context, batch(paid));
    await approvedForTest(deps.db, again.id);
    expect(again).toMatchObject({ status: 'ready', cycleIds: [cycleId] });
    expect(again.byStatus).toEqual([{ status: 'pending', count: 3, amountMinor: 3n * amount }]);
    expect(await reserved()).toBe(3n * amount);
    const file = await payoutFileReader(deps, context, again.id);
    expect((await validatePain001(file.xml)).valid).toBe(true);
    // A sent batch is not cancelled: the bank may pay it.
    await expect(payoutBatchCanceller(deps, context, again.id)).rejects.toMatchObject({
      code: 'AMP_CONFLICT',
    });

    // The wallets' disbursement pays everyone else, and none of the three a second time.
    const started = await disbursementStarter(database.db, { cycleId, operatorId: null });
    const done = await disbursementRunner(database.db, { disbursementId: started.id });
    expect(done).toMatchObject({
      status: 'finished',
      creditedCount: BigInt(entitlements.length - 3),
    });
    const live = await database.db
      .selectFrom('payout_instruction')
      .select('reference_id')
      .where('status', '=', 'pending')
      .execute();
    expect(live.map((row) => row.reference_id).sort()).toEqual(
      paid.map((each) => each.entitlementId).sort(),
    );
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);
  });

  it('a cancellation that meets the batch being resumed leaves it cancelled with nothing reserved', async () => {
    // A second cycle of the same program: fresh entitlements.
    const second = await publishedCycle(database.db, programId, '2026-11-01');
    const fresh = (await openCashEntitlements(database.db, second.cycleId)).slice(0, 4);
    const before = await reserved();
    const input = batch(fresh);
    const halfMade = await interrupted(input);
    expect(await reserved()).toBe(before + 4n * amount);

    const [resumed, cancelled] = await Promise.allSettled([
      payoutBatchCreator(deps, context, input),
      payoutBatchCanceller(deps, context, halfMade),
    ]);
    expect(cancelled).toMatchObject({ status: 'fulfilled', value: { status: 'cancelled' } });
    // The resumption either finished first (then the batch, not sent, was cancelled after it)
    // or found it cancelled: either way it answers without an error.
    expect(resumed.status).toBe('fulfilled');
    expect(await statuses(halfMade)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    const batchRow = await database.db
      .selectFrom('payout_batch')
      .select(['status', 'file_sha256'])
      .where('id', '=', halfMade)
      .executeTakeFirstOrThrow();
    expect(batchRow).toEqual({ status: 'cancelled', file_sha256: null });
    expect(await reserved()).toBe(before);
    const pendings = await database.db
      .selectFrom('ledger_transfer')
      .select('id')
      .where(
        'id',
        'in',
        (
          await database.db
            .selectFrom('payout_instruction')
            .select('id')
            .where('batch_id', '=', halfMade)
            .execute()
        ).map((row) => payoutPendingId(row.id)),
      )
      .execute();
    expect(pendings).toHaveLength(4);

    const again = await payoutBatchCreator(deps, context, batch(fresh));
    await approvedForTest(deps.db, again.id);
    expect(again.status).toBe('ready');
    expect(await reserved()).toBe(before + 4n * amount);
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);
  });

  it('resumes a batch left preparing once its run is gone: what was reserved is not reserved again, the rest is, once, even with two resumptions at once', async () => {
    const third = await publishedCycle(database.db, programId, '2026-10-01');
    const fresh = (await openCashEntitlements(database.db, third.cycleId)).slice(0, 4);
    const before = await reserved();
    // The run that made it died holding its preparation: no other run resumes it meanwhile.
    const held = await interrupted(batch(fresh.slice(0, 2)));
    expect((await batchSummary(database.db, held)).resumable).toBe(false);
    await expect(payoutBatchResumer(deps, context, held)).rejects.toMatchObject({
      code: 'AMP_CONFLICT',
    });
    await payoutBatchCanceller(deps, context, held);

    // Its run died and its lease ran out: the batch is resumable.
    const input = batch(fresh);
    const halfMade = await interrupted(input, 0);
    expect(await reserved()).toBe(before + 4n * amount);
    expect(await batchSummary(database.db, halfMade)).toMatchObject({
      status: 'preparing',
      resumable: true,
      fileSha256: null,
    });
    const resumptions = await Promise.allSettled([
      payoutBatchResumer(deps, context, halfMade),
      payoutBatchResumer(deps, context, halfMade),
    ]);
    // One resumes it; the other finds it being prepared (409) or already ready.
    const ready = resumptions.filter(
      (each) => each.status === 'fulfilled' && each.value.status === 'ready',
    );
    expect(ready.length).toBeGreaterThanOrEqual(1);
    for (const each of resumptions) {
      if (each.status === 'rejected') expect(each.reason).toMatchObject({ code: 'AMP_CONFLICT' });
    }
    const done = await batchSummary(database.db, halfMade);
    expect(done).toMatchObject({ status: 'ready', resumable: false });
    expect(done.byStatus).toEqual([{ status: 'pending', count: 4, amountMinor: 4n * amount }]);
    // Resuming a ready batch changes nothing; the same request sent again answers it.
    expect((await payoutBatchResumer(deps, context, halfMade)).status).toBe('ready');
    expect((await payoutBatchCreator(deps, context, input)).status).toBe('ready');
    // Each payment reserved exactly once.
    expect(await reserved()).toBe(before + 4n * amount);
    const ids = (
      await database.db
        .selectFrom('payout_instruction')
        .select('id')
        .where('batch_id', '=', halfMade)
        .execute()
    ).map((row) => payoutPendingId(row.id));
    const pendings = await database.db
      .selectFrom('ledger_transfer')
      .select(['id', 'result'])
      .where('id', 'in', ids)
      .execute();
    expect(pendings.map((row) => row.result)).toEqual(['ok', 'ok', 'ok', 'ok']);
    await approvedForTest(deps.db, halfMade);
    const file = await payoutFileReader(deps, context, halfMade);
    expect((await validatePain001(file.xml)).valid).toBe(true);
    // A cancelled batch is not resumed.
    await expect(payoutBatchResumer(deps, context, held)).rejects.toMatchObject({
      code: 'AMP_CONFLICT',
    });
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);
  });
});
