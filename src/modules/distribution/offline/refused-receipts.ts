import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { entitlementsForRedemption } from '../../programs/index.js';
import {
  type DistributionContext,
  type DistributionDependencies,
  nowOf,
} from '../distribution-context.js';
import { operatorIdOf } from '../points/point-service.js';
import { offlineSyncer, type SyncAction } from './offline-sync.js';
import type { OfflineLine } from './offline-tables.js';
import type { SyncResult } from './sync-result.js';

type SyncBody = Parameters<typeof offlineSyncer>[3];
type Receipt = SyncBody['receipts'][number];

/**
 * The sync as the route runs it, keeping each receipt it refused for the point's reconciliation
 * (migration 0149): a refused receipt counted nowhere and left only an audit entry, so the
 * supervisor signing the cycle off did not see goods that may have left. Kept: every receipt
 * answered `refused` (its code), and every receipt of a batch refused whole because the device
 * is revoked (a stolen device's claims are what the supervisor most needs to read). Not kept: a
 * batch refused for the device's clock (the device syncs the same receipts again once its clock
 * is right, and they may then count), replays (answered as first), and anything refused before
 * the point's gate (no point to attribute it to). The first refusal of a device's receipt id is
 * kept; the same receipt refused again is in the audit only.
 *
 * Written after the sync's own work, in a transaction of its own, on purpose (reviewed in session
 * 21, not moved into the batch's transaction): a batch refused whole for a revoked device has no
 * batch transaction at all (the sync throws before it), most refusals are decided before that
 * transaction opens (signature, operator, snapshot, card) and a batch with nothing left to count
 * opens none; only `AMP_OFFLINE_ALLOWANCE_EXCEEDED` is found inside it. Keeping them inside would
 * take a second path for the revoked device and threading every refusal into the applier, for
 * one gain: no crash between the two. And the sync's refusal path stays untouched (offline-sync.ts
 * audits each refusal itself, also after its transaction). A crash between the two leaves that
 * refusal in the audit only — unless the device sends the receipt again: a refused receipt is no
 * replay (only counted and conflict receipts are kept as synced), so it is refused again and kept.
 *
 * @example
 *   const answer = await offlineSyncKeepingRefusals(deps, context, pointId, body);
 */
export async function offlineSyncKeepingRefusals(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  body: SyncBody,
  action: SyncAction = 'distribution.redeem',
): Promise<{ results: SyncResult[] }> {
  const syncedBy = context.actor === null ? null : operatorIdOf(context.actor);
  let answer: { results: SyncResult[] };
  try {
    answer = await offlineSyncer(deps, context, pointId, body, action);
  } catch (error) {
    if (syncedBy !== null && codeOf(error) === 'AMP_DEVICE_REVOKED') {
      const refused = body.receipts.map((receipt) => ({ receipt, code: 'AMP_DEVICE_REVOKED' }));
      await keepRefused(deps, { pointId, deviceId: body.deviceId, syncedBy, refused });
    }
    throw error;
  }
  if (syncedBy !== null) {
    const byId = new Map(body.receipts.map((receipt) => [receipt.receiptId, receipt]));
    const refused = answer.results.flatMap((result) => {
      const receipt = byId.get(result.receiptId);
      return result.outcome === 'refused' && result.code !== null && receipt !== undefined
        ? [{ receipt, code: result.code }]
        : [];
    });
    await keepRefused(deps, { pointId, deviceId: body.deviceId, syncedBy, refused });
  }
  return answer;
}

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? Reflect.get(error, 'code') : undefined;
}

async function keepRefused(
  deps: DistributionDependencies,
  props: {
    pointId: string;
    deviceId: string;
    syncedBy: string;
    refused: readonly { receipt: Receipt; code: string }[];
  },
): Promise<void> {
  if (props.refused.length === 0) return;
  const entitlements = await entitlementsForRedemption(
    deps.db,
    props.refused.map((each) => each.receipt.entitlementId),
  );
  const syncedAt = nowOf(deps);
  await deps.db
    .insertInto('offline_receipt_refusal')
    .values(
      props.refused.map(({ receipt, code }) => ({
        id: randomUUID(),
        point_id: props.pointId,
        device_id: props.deviceId,
        receipt_id: receipt.receiptId,
        entitlement_id: receipt.entitlementId,
        cycle_id: entitlements.get(receipt.entitlementId)?.cycleId ?? null,
        device_time: new Date(receipt.deviceTime),
        lines: JSON.stringify(receipt.lines.map(({ item, quantity }) => ({ item, quantity }))),
        reason: code,
        synced_at: syncedAt,
        synced_by: props.syncedBy,
      })),
    )
    .onConflict((conflict) => conflict.columns(['device_id', 'receipt_id']).doNothing())
    .execute();
}

/** A refused receipt as the reconciliation lists it: no person, what the device claims. */
export interface RefusedReceipt {
  receiptId: string;
  deviceId: string;
  deviceLabel: string;
  deviceTime: string;
  syncedAt: string;
  reason: string;
  lines: OfflineLine[];
}

/**
 * The receipts refused at a point for a cycle: those naming an entitlement of the cycle, and
 * those naming one the server does not know synced since the cycle's reference date (the window
 * of the reconciliation's stock figures). Newest first, at most `limit`; with the count per reason
 * over all of them.
 */
export async function refusedReceiptsOf(
  db: Kysely<Database>,
  props: { pointId: string; cycleId: string; referenceDate: string; limit: number },
): Promise<{ byReason: { reason: string; count: number }[]; list: RefusedReceipt[] }> {
  const since = new Date(`${props.referenceDate}T00:00:00Z`);
  const ofCycle = db
    .selectFrom('offline_receipt_refusal as f')
    .where('f.point_id', '=', props.pointId)
    .where((eb) =>
      eb.or([
        eb('f.cycle_id', '=', props.cycleId),
        eb.and([eb('f.cycle_id', 'is', null), eb('f.synced_at', '>=', since)]),
      ]),
    );
  const counts = await ofCycle
    .select(['f.reason', (eb) => eb.fn.countAll<string>().as('count')])
    .groupBy('f.reason')
    .orderBy('f.reason')
    .execute();
  const rows = await ofCycle
    .innerJoin('distribution_device as d', 'd.id', 'f.device_id')
    .select([
      'f.receipt_id',
      'f.device_id',
      'd.label',
      'f.device_time',
      'f.synced_at',
      'f.reason',
      'f.lines',
    ])
    .orderBy('f.synced_at', 'desc')
    .orderBy('f.receipt_id')
    .limit(props.limit)
    .execute();
  return {
    byReason: counts.map((row) => ({ reason: row.reason, count: Number(row.count) })),
    list: rows.map((row) => ({
      receiptId: row.receipt_id,
      deviceId: row.device_id,
      deviceLabel: row.label,
      deviceTime: row.device_time.toISOString(),
      syncedAt: row.synced_at.toISOString(),
      reason: row.reason,
      // Safe: written as a JSON array of {item, quantity} above (text on PGlite).
      lines: (typeof row.lines === 'string' ? JSON.parse(row.lines) : row.lines) as OfflineLine[],
    })),
  };
}
