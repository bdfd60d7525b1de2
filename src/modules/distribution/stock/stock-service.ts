import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { runIdempotent } from '../../../platform/db/idempotency.js';
import { AmparoError } from '../../../platform/errors.js';
import type { StockCountAnswer } from '../../../shared/api/distribution.js';
import type { MovementPage } from '../../../shared/api/stock-transfers.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import type { DistributionContext, DistributionDependencies } from '../distribution-context.js';
import { distributionLimits } from '../limits.js';
import { guardPoint, type PointGrant, refuseAudited } from '../point-gate.js';
import { operatorIdOf } from '../points/point-service.js';
import { handedOverInWindowAt, refuseOwnHandOvers } from '../reconciliation/own-hand-overs.js';
import { auditingRefusals } from '../refusals.js';
import type { AdjustmentReason } from '../tables.js';
import { appendMovement, lockBalances } from './stock-ledger.js';

/**
 * Stock per point and item (issue #15, point 2): deliveries by the point's operators or a
 * supervisor, adjustments (with their reason) by a supervisor only; transfers between points are
 * in `transfer-service.ts`. Each is
 * idempotent on the device's client id and appends to the stock ledger in the same transaction
 * as its audit entry; a refusal changes nothing and is audited.
 *
 * @example
 *   await deliveryRecorder(deps, context, pointId, { clientId, item: 'food_box', quantity: 40 });
 */
export interface StockAnswer {
  movementIds: string[];
  item: string;
  balanceAfter: number;
}

/**
 * Separation of duties (docs/DISTRIBUTION.md, "Separation of duties"): a supervisor who handed
 * goods over at the point, as its operator, in a cycle whose stock window holds now — or, for a
 * count correction, the item's latest count, which the correction explains — does not record the
 * count or correct it (`AMP_STOCK_COUNT_OWN_HAND_OVERS`, audited): either would let them square
 * the shelf with their own hand-overs. The point's operators count as before: a supervisor
 * settles what they found. Now is the database's clock, as the ledger's and the count's.
 */
export async function refuseOwnCount(
  deps: DistributionDependencies,
  gate: PointGrant,
  item: string,
  correction: boolean,
): Promise<void> {
  const { actor } = gate.write;
  if (actor.kind !== 'operator' || !actor.roles.includes('distribution_supervisor')) return;
  const now = await sql<{ now: Date }>`select now() as now`.execute(deps.db);
  const moments = now.rows.map((row) => new Date(row.now));
  if (correction) {
    const latest = await deps.db
      .selectFrom('stock_count')
      .select('counted_at')
      .where('point_id', '=', gate.point.id)
      .where('item', '=', item)
      .orderBy('counted_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (latest !== undefined) moments.push(latest.counted_at);
  }
  await refuseOwnHandOvers(
    deps,
    gate,
    await handedOverInWindowAt(deps.db, gate.point.id, actor.operatorId, moments),
    'AMP_STOCK_COUNT_OWN_HAND_OVERS',
  );
}

/** Refuses (audited) a stock movement at a closed point. */
export async function openPoint(deps: DistributionDependencies, gate: PointGrant): Promise<void> {
  if (gate.point.status !== 'open') {
    await refuseAudited(
      deps,
      gate.write,
      { type: 'distribution_point', id: gate.point.id },
      'AMP_POINT_CLOSED',
      `Point ${gate.point.code} is closed`,
    );
  }
}

export async function deliveryRecorder(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  props: { clientId: string; item: string; quantity: number; note?: string | undefined },
): Promise<{ status: number; body: StockAnswer }> {
  const gate = await guardPoint(deps, context, 'distribution.stock_record', pointId);
  await openPoint(deps, gate);
  const resource = { type: 'distribution_point' as const, id: pointId };
  return auditingRefusals(deps, gate.write, resource, () =>
    runIdempotent<StockAnswer>(
      deps.db,
      { scope: 'distribution.delivery', clientId: props.clientId, request: { pointId, ...props } },
      async (trx) => {
        const moved = await appendMovement(trx, {
          pointId,
          item: props.item,
          kind: 'delivery',
          quantityDelta: props.quantity,
          note: props.note ?? null,
          recordedBy: operatorIdOf(gate.write.actor),
        });
        await deps.audit.appendInTransaction(trx, [
          writeAuditEntry(gate.write, resource, [], context.requestId),
        ]);
        return {
          status: 201,
          body: {
            movementIds: [moved.movementId],
            item: props.item,
            balanceAfter: moved.balanceAfter,
          },
        };
      },
    ),
  );
}

/**
 * A supervisor's correction of the stock (loss, damage, a count): the reason is required, and
 * a balance below zero only with `overrideNegative`, which the movement records.
 */
export async function adjustmentRecorder(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  props: {
    clientId: string;
    item: string;
    quantityDelta: number;
    reason?: AdjustmentReason | undefined;
    note?: string | undefined;
    overrideNegative?: boolean | undefined;
  },
): Promise<{ status: number; body: StockAnswer }> {
  const gate = await guardPoint(deps, context, 'distribution.stock_adjust', pointId);
  const resource = { type: 'distribution_point' as const, id: pointId };
  const { reason } = props;
  if (reason === undefined) {
    return refuseAudited(
      deps,
      gate.write,
      resource,
      'AMP_ADJUSTMENT_REASON_REQUIRED',
      'Say why the stock is adjusted: loss, damage or count_correction',
      [{ field: '/reason', reason: 'required for an adjustment', code: 'reason_required' }],
    );
  }
  if (props.quantityDelta === 0) {
    throw new AmparoError('AMP_VALIDATION', {
      errors: [{ field: '/quantityDelta', reason: 'not zero' }],
    });
  }
  // Loss and damage stay allowed: they write stock off, in the open, and hide no shortfall.
  if (reason === 'count_correction') await refuseOwnCount(deps, gate, props.item, true);
  return auditingRefusals(deps, gate.write, resource, () =>
    runIdempotent<StockAnswer>(
      deps.db,
      {
        scope: 'distribution.adjustment',
        clientId: props.clientId,
        request: { pointId, ...props },
      },
      async (trx) => {
        const moved = await appendMovement(trx, {
          pointId,
          item: props.item,
          kind: 'adjustment',
          quantityDelta: props.quantityDelta,
          reason,
          note: props.note ?? null,
          overrideNegative: props.overrideNegative === true,
          recordedBy: operatorIdOf(gate.write.actor),
        });
        await deps.audit.appendInTransaction(trx, [
          writeAuditEntry(gate.write, resource, [], context.requestId),
        ]);
        return {
          status: 201,
          body: {
            movementIds: [moved.movementId],
            item: props.item,
            balanceAfter: moved.balanceAfter,
          },
        };
      },
    ),
  );
}

/**
 * A physical count of one item at the point (review of issue #15, point 7): what the operator or
 * supervisor found on the shelf, kept beside what the ledger says is on hand now (the balance,
 * read under the lock every movement of the item takes, so no movement slips between the two).
 * A count moves no stock — a difference is resolved by the supervisor's adjustment of reason
 * `count_correction` — and counts at a closed point too. Idempotent on the client id; audited on
 * the point; no person.
 */
export async function countRecorder(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  props: { clientId: string; item: string; countedQuantity: number },
): Promise<{ status: number; body: StockCountAnswer }> {
  const gate = await guardPoint(deps, context, 'distribution.stock_count', pointId);
  await refuseOwnCount(deps, gate, props.item, false);
  const resource = { type: 'distribution_point' as const, id: pointId };
  return auditingRefusals(deps, gate.write, resource, () =>
    runIdempotent<StockCountAnswer>(
      deps.db,
      {
        scope: 'distribution.stock_count',
        clientId: props.clientId,
        request: { pointId, ...props },
      },
      async (trx) => {
        await lockBalances(trx, [{ pointId, item: props.item }]);
        const balance = await trx
          .selectFrom('stock_balance')
          .select(['quantity', 'last_movement_id'])
          .where('point_id', '=', pointId)
          .where('item', '=', props.item)
          .executeTakeFirstOrThrow();
        const row = await trx
          .insertInto('stock_count')
          .values({
            id: randomUUID(),
            point_id: pointId,
            item: props.item,
            counted_quantity: props.countedQuantity,
            expected_quantity: balance.quantity,
            last_movement_id: balance.last_movement_id,
            counted_by: operatorIdOf(gate.write.actor) as string, // Safe: only operators hold it.
          })
          .returning(['id', 'counted_at'])
          .executeTakeFirstOrThrow();
        await deps.audit.appendInTransaction(trx, [
          writeAuditEntry(gate.write, resource, [], context.requestId),
        ]);
        return {
          status: 201,
          body: {
            countId: row.id,
            item: props.item,
            counted: props.countedQuantity,
            expected: balance.quantity,
            discrepancy: props.countedQuantity - balance.quantity,
            countedAt: row.counted_at.toISOString(),
          },
        };
      },
    ),
  );
}

/**
 * The point's stock ledger, newest first, a page at a time: `before` is the last movement of the
 * previous page (its `nextBefore`), so a page never skips or repeats a movement, however many
 * share a timestamp.
 */
export async function movementsLister(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  query: { item?: string | undefined; limit?: number | undefined; before?: string | undefined },
): Promise<MovementPage> {
  const { grant } = await guardPoint(deps, context, 'distribution.point_read', pointId);
  const limit = Math.min(query.limit ?? 50, distributionLimits.listPageSizeMax);
  let select = deps.db
    .selectFrom('stock_movement as m')
    .selectAll('m')
    .where('m.point_id', '=', pointId)
    .orderBy('m.recorded_at', 'desc')
    .orderBy('m.id', 'desc')
    .limit(limit + 1);
  if (query.item !== undefined) select = select.where('m.item', '=', query.item);
  const { before } = query;
  if (before !== undefined) {
    select = select.where((eb) =>
      eb(
        eb.refTuple('m.recorded_at', 'm.id'),
        '<',
        eb
          .selectFrom('stock_movement as b')
          .select(['b.recorded_at', 'b.id'])
          .where('b.id', '=', before)
          .where('b.point_id', '=', pointId)
          // Safe: a one-row subquery of the same two columns, compared as a row.
          .$asTuple('recorded_at', 'id'),
      ),
    );
  }
  const rows = await select.execute();
  await grant.record([]);
  const page = rows.slice(0, limit);
  return {
    movements: page.map((row) => ({
      id: row.id,
      item: row.item,
      kind: row.kind,
      quantityDelta: row.quantity_delta,
      balanceAfter: row.balance_after,
      reason: row.reason,
      note: row.note,
      overrideNegative: row.override_negative,
      transferId: row.transfer_id,
      redemptionId: row.redemption_id,
      recordedBy: row.recorded_by,
      recordedAt: row.recorded_at.toISOString(),
    })),
    nextBefore: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
  };
}
