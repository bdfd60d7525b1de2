import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import { lookupAccounts } from '../../ledger/index.js';
import { cashEntitlementRanges, cycleForDisbursement } from '../../programs/index.js';
import { fundingAccountId } from '../accounts/account-ids.js';
import { paymentLimits } from '../limits.js';
import { PaymentsError } from '../payments-error.js';
import { type DisbursementProgress, disbursementProgress } from './disbursement-progress.js';

/**
 * Starts the disbursement of a published cash cycle: its open entitlements are
 * cut into chunks of person ids and written with the disbursement, in one transaction; the
 * runner pays them. A cycle has one disbursement: starting it again answers the one that
 * exists (and the runner resumes it). Refused, with nothing written, when the cycle is not a
 * cash cycle ready to pay or its program's funding account cannot cover it. An approved cycle
 * not yet published is refused (`AMP_CYCLE_NOT_PUBLISHED`): its entitlements are pre-activated,
 * not handed over, and money in a wallet is spendable at once (docs/DISTRIBUTION.md, "Entitlement
 * states").
 *
 * @example
 *   const started = await disbursementStarter(db, { cycleId, operatorId });
 *   await disbursementRunner(deps, { disbursementId: started.id });
 */
export async function disbursementStarter(
  db: Kysely<Database>,
  props: { cycleId: string; operatorId: string | null; chunkEntitlements?: number },
): Promise<DisbursementProgress> {
  const existing = await disbursementProgress(db, { cycleId: props.cycleId });
  if (existing !== undefined) return existing;
  const cycle = await cycleForDisbursement(db, props.cycleId);
  if (cycle === undefined) throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such cycle' });
  if (cycle.kind !== 'cash' || cycle.currency === null) {
    throw new PaymentsError(
      'AMP_CYCLE_NOT_DISBURSABLE',
      `The program pays ${cycle.kind}, not cash`,
    );
  }
  if (cycle.status === 'approved') {
    throw new PaymentsError(
      'AMP_CYCLE_NOT_PUBLISHED',
      'The cycle is approved but not published: it is paid from its publication on',
    );
  }
  if (cycle.status !== 'published') {
    throw new PaymentsError('AMP_CYCLE_NOT_DISBURSABLE', `The cycle is ${cycle.status}`);
  }
  const currency = cycle.currency;
  const ranges = await cashEntitlementRanges(db, {
    programId: cycle.programId,
    cycleId: cycle.cycleId,
    rangeSize: props.chunkEntitlements ?? paymentLimits.disbursementChunkEntitlements,
  });
  const total = ranges.reduce((sum, range) => sum + range.amountMinor, 0n);
  const count = ranges.reduce((sum, range) => sum + range.entitlements, 0);
  const fundingId = fundingAccountId(cycle.programId, currency);
  const [funding] = await lookupAccounts(db, [fundingId]);
  const available =
    funding === undefined
      ? 0n
      : funding.creditsPosted - funding.debitsPosted - funding.debitsPending;
  if (total > available) {
    throw new PaymentsError(
      'AMP_FUNDS_INSUFFICIENT',
      `The cycle needs ${total} ${currency} minor units; the program's funding account holds ${available}`,
    );
  }
  const id = randomUUID();
  await db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('payment_disbursement')
      .values({
        id,
        cycle_id: cycle.cycleId,
        program_id: cycle.programId,
        currency,
        funding_account_id: fundingId,
        chunks_total: ranges.length,
        entitlements_total: BigInt(count),
        amount_total_minor: total,
        started_by: props.operatorId,
        ...(ranges.length === 0 ? { status: 'finished', finished_at: new Date() } : {}),
      })
      .onConflict((conflict) => conflict.column('cycle_id').doNothing())
      .executeTakeFirst();
    if (inserted.numInsertedOrUpdatedRows !== 1n || ranges.length === 0) return;
    for (let from = 0; from < ranges.length; from += 1_000) {
      await trx
        .insertInto('payment_disbursement_chunk')
        .values(
          ranges.slice(from, from + 1_000).map((range, index) => ({
            disbursement_id: id,
            chunk: from + index,
            first_person_id: range.firstPersonId,
            last_person_id: range.lastPersonId,
            entitlements: range.entitlements,
            amount_minor: range.amountMinor,
          })),
        )
        .execute();
    }
  });
  // Safe: the disbursement of this cycle exists now (ours, or one started at the same time).
  return (await disbursementProgress(db, { cycleId: props.cycleId })) as DisbursementProgress;
}
