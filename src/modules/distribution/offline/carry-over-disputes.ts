import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { CarryOverDisputeAnswer } from '../../../shared/api/distribution-offline.js';
import type { DistributionContext, DistributionDependencies } from '../distribution-context.js';
import { distributionLimits } from '../limits.js';
import { guardPoint } from '../point-gate.js';
import { decisionAnswerOf } from './carry-over-dispute-decision.js';

/**
 * The carry-over disputes of a point for the supervisor (migration 0154): late offline receipts
 * synced here — made before their cycle closed — whose withdrawal of what the close carried over
 * found part of it handed out already from the person's next entitlement. Each hand-over is
 * counted once and the stock is exact; the overlap (`disputed`) was given twice and waits for
 * review, with its decision once made (migration 0155). Newest first; no person appears.
 *
 * @example
 *   const disputes = await carryOverDisputesLister(deps, context, pointId);
 */
export async function carryOverDisputesLister(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
): Promise<CarryOverDisputeAnswer[]> {
  const { point, grant } = await guardPoint(deps, context, 'distribution.point_read', pointId);
  const disputes = await carryOverDisputesOf(deps.db, point.id, null);
  await grant.record([]);
  return disputes;
}

/**
 * The point's carry-over disputes, all or those of one closed cycle (the cycle the late receipt
 * counts in, whose carry-over it withdrew): for the list and for the reconciliation.
 */
export async function carryOverDisputesOf(
  db: Kysely<Database>,
  pointId: string,
  fromCycleId: string | null,
): Promise<CarryOverDisputeAnswer[]> {
  let query = db
    .selectFrom('carry_over_withdrawal as w')
    .innerJoin('offline_receipt as o', 'o.id', 'w.receipt_id')
    .leftJoin('carry_over_dispute_decision as d', (join) =>
      join.onRef('d.receipt_id', '=', 'w.receipt_id').onRef('d.item', '=', 'w.item'),
    )
    .select([
      'w.receipt_id',
      'o.device_time',
      'o.synced_at',
      'w.from_entitlement_id',
      'w.into_entitlement_id',
      'w.item',
      'w.unit',
      'w.quantity',
      'w.taken_back',
      'w.disputed',
      'd.outcome',
      'd.quantity_returned',
      'd.quantity_written_off',
      'd.reason',
      'd.decided_by',
      'd.decided_at',
    ])
    .where('o.point_id', '=', pointId)
    .where('w.disputed', '>', 0);
  if (fromCycleId !== null) {
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('entitlement_carry_over as c')
          .select('c.item')
          .whereRef('c.from_entitlement_id', '=', 'w.from_entitlement_id')
          .whereRef('c.item', '=', 'w.item')
          .where('c.from_cycle_id', '=', fromCycleId),
      ),
    );
  }
  const rows = await query
    .orderBy('w.recorded_at', 'desc')
    .orderBy('w.receipt_id')
    .orderBy('w.item')
    .limit(distributionLimits.listPageSizeMax)
    .execute();
  return rows.map((row) => ({
    receiptId: row.receipt_id,
    deviceTime: row.device_time.toISOString(),
    syncedAt: row.synced_at.toISOString(),
    fromEntitlementId: row.from_entitlement_id,
    // Safe: a disputed withdrawal always names the entitlement that had taken the carry-over in.
    intoEntitlementId: row.into_entitlement_id as string,
    item: row.item,
    unit: row.unit,
    withdrawn: row.quantity,
    takenBack: row.taken_back,
    disputed: row.disputed,
    decision:
      row.outcome === null
        ? null
        : decisionAnswerOf({
            outcome: row.outcome,
            // Safe: the decision's columns are all not null when its row exists.
            quantity_returned: row.quantity_returned as number,
            quantity_written_off: row.quantity_written_off as number,
            reason: row.reason as string,
            decided_by: row.decided_by as string,
            decided_at: row.decided_at as Date,
          }),
  }));
}
