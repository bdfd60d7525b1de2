import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { OfflineConflictAnswer } from '../../../shared/api/distribution-offline.js';
import type { DistributionContext, DistributionDependencies } from '../distribution-context.js';
import { distributionLimits } from '../limits.js';
import { guardPoint } from '../point-gate.js';
import { notReversed } from '../redemption/reversal.js';
import type { OfflineLine } from './offline-tables.js';

/**
 * The offline conflicts of a point for the supervisor (issue #15, point 5): receipts a device
 * made for an entitlement another device or point had already taken, kept and counted nowhere,
 * newest first, with how many redemptions were counted for that entitlement and what each holds
 * until it is cleared. No person appears.
 *
 * @example
 *   const conflicts = await offlineConflictsLister(deps, context, pointId);
 */
export async function offlineConflictsLister(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
): Promise<OfflineConflictAnswer[]> {
  const { point, grant } = await guardPoint(deps, context, 'distribution.point_read', pointId);
  const rows = await deps.db
    .selectFrom('offline_receipt as o')
    .innerJoin('distribution_device as d', 'd.id', 'o.device_id')
    .leftJoin('offline_conflict_resolution as c', 'c.receipt_id', 'o.id')
    .select((eb) => [
      'c.decision',
      'c.goods_left',
      'c.resolved_at',
      'o.id',
      'o.device_id',
      'd.label',
      'o.entitlement_id',
      'o.device_time',
      'o.synced_at',
      'o.lines',
      'o.held',
      eb
        .selectFrom('redemption as r')
        .select((inner) => inner.fn.countAll<string>().as('count'))
        .whereRef('r.entitlement_id', '=', 'o.entitlement_id')
        .where(notReversed('r'))
        .as('counted'),
    ])
    .where('o.point_id', '=', point.id)
    .where('o.outcome', '=', 'conflict')
    .orderBy('o.synced_at', 'desc')
    .orderBy('o.id')
    .limit(distributionLimits.listPageSizeMax)
    .execute();
  const held = await heldCarryOver(
    deps.db,
    rows.map((row) => row.entitlement_id),
  );
  await grant.record([]);
  return rows.map((row) => ({
    receiptId: row.id,
    deviceId: row.device_id,
    deviceLabel: row.label,
    entitlementId: row.entitlement_id,
    deviceTime: row.device_time.toISOString(),
    syncedAt: row.synced_at.toISOString(),
    // Safe: written by the sync from the validated, signed lines (text on PGlite).
    lines: (typeof row.lines === 'string' ? JSON.parse(row.lines) : row.lines) as OfflineLine[],
    countedRedemptions: Number(row.counted ?? 0),
    // Safe: written by the sync as a JSON list of {item, quantity} (text on PGlite), or null.
    held: (typeof row.held === 'string' ? JSON.parse(row.held) : row.held) as OfflineLine[] | null,
    carryOverHeld: held.get(row.entitlement_id) ?? [],
    resolution:
      row.decision === null || row.resolved_at === null
        ? null
        : {
            decision: row.decision,
            goodsLeft: row.goods_left === true,
            resolvedAt: row.resolved_at.toISOString(),
          },
  }));
}

/** Per entitlement, the carry-over a cycle's close holds for its review (not yet released). */
async function heldCarryOver(
  db: Kysely<Database>,
  entitlementIds: readonly string[],
): Promise<Map<string, OfflineConflictAnswer['carryOverHeld']>> {
  const byEntitlement = new Map<string, OfflineConflictAnswer['carryOverHeld']>();
  if (entitlementIds.length === 0) return byEntitlement;
  const rows = await db
    .selectFrom('entitlement_carry_over_held')
    .select(['from_entitlement_id', 'item', 'unit', 'quantity_max'])
    .where('from_entitlement_id', 'in', [...new Set(entitlementIds)])
    .where('released_at', 'is', null)
    .orderBy('item')
    .execute();
  for (const row of rows) {
    const lines = byEntitlement.get(row.from_entitlement_id) ?? [];
    lines.push({ item: row.item, unit: row.unit, quantityMax: row.quantity_max });
    byEntitlement.set(row.from_entitlement_id, lines);
  }
  return byEntitlement;
}
