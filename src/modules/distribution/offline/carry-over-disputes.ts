import type { CarryOverDisputeAnswer } from '../../../shared/api/distribution-offline.js';
import type { DistributionContext, DistributionDependencies } from '../distribution-context.js';
import { distributionLimits } from '../limits.js';
import { guardPoint } from '../point-gate.js';

/**
 * The carry-over disputes of a point for the supervisor (migration 0154): late offline receipts
 * synced here — made before their cycle closed — whose withdrawal of what the close carried over
 * found part of it handed out already from the person's next entitlement. Each hand-over is
 * counted once and the stock is exact; the overlap (`disputed`) was given twice and waits for
 * review. Newest first; no person appears.
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
  const rows = await deps.db
    .selectFrom('carry_over_withdrawal as w')
    .innerJoin('offline_receipt as o', 'o.id', 'w.receipt_id')
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
    ])
    .where('o.point_id', '=', point.id)
    .where('w.disputed', '>', 0)
    .orderBy('w.recorded_at', 'desc')
    .orderBy('w.receipt_id')
    .orderBy('w.item')
    .limit(distributionLimits.listPageSizeMax)
    .execute();
  await grant.record([]);
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
  }));
}
