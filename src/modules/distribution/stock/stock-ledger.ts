import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { DistributionError } from '../distribution-error.js';
import type { AdjustmentReason, StockMovementKind } from '../tables.js';

export interface Movement {
  pointId: string;
  item: string;
  kind: StockMovementKind;
  quantityDelta: number;
  reason?: AdjustmentReason | null;
  note?: string | null;
  overrideNegative?: boolean;
  transferId?: string | null;
  redemptionId?: string | null;
  recordedBy: string | null;
}

/**
 * Appends one movement to the stock ledger inside the caller's transaction: locks the point's
 * balance row for the item (created at zero on first use), refuses a movement out that leaves
 * the balance below zero unless it carries an explicit override, writes the movement with the balance after it and
 * moves the balance. Movements of one point and item therefore apply one at a time, in order;
 * callers that move several rows lock them in (point, item) order so two writers never wait on
 * each other in a circle.
 *
 * @example
 *   await appendMovement(trx, { pointId, item: 'food_box', kind: 'delivery', quantityDelta: 40, recordedBy });
 */
export async function appendMovement(
  trx: Transaction<Database>,
  movement: Movement,
): Promise<{ movementId: string; balanceAfter: number }> {
  await trx
    .insertInto('stock_balance')
    .values({ point_id: movement.pointId, item: movement.item, quantity: 0 })
    .onConflict((conflict) => conflict.columns(['point_id', 'item']).doNothing())
    .execute();
  const balance = await trx
    .selectFrom('stock_balance')
    .select('quantity')
    .where('point_id', '=', movement.pointId)
    .where('item', '=', movement.item)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const balanceAfter = balance.quantity + movement.quantityDelta;
  const override = movement.overrideNegative === true;
  // Only a movement out can take the balance below zero: goods coming in (a delivery, a return)
  // are never refused, even to a point whose hand-overs already went below zero on an override.
  if (balanceAfter < 0 && movement.quantityDelta < 0 && !override) {
    throw new DistributionError(
      'AMP_STOCK_INSUFFICIENT',
      `${balance.quantity} ${movement.item} on hand; ${-movement.quantityDelta} asked`,
      [
        {
          field: '/quantity',
          reason: `only ${balance.quantity} on hand`,
          code: 'stock_insufficient',
          params: { item: movement.item, onHand: balance.quantity },
        },
      ],
    );
  }
  const movementId = randomUUID();
  await trx
    .insertInto('stock_movement')
    .values({
      id: movementId,
      point_id: movement.pointId,
      item: movement.item,
      kind: movement.kind,
      quantity_delta: movement.quantityDelta,
      balance_after: balanceAfter,
      reason: movement.reason ?? null,
      note: movement.note ?? null,
      override_negative: override && balanceAfter < 0,
      transfer_id: movement.transferId ?? null,
      redemption_id: movement.redemptionId ?? null,
      recorded_by: movement.recordedBy,
    })
    .execute();
  await trx
    .updateTable('stock_balance')
    .set({ quantity: balanceAfter, last_movement_id: movementId })
    .where('point_id', '=', movement.pointId)
    .where('item', '=', movement.item)
    .execute();
  return { movementId, balanceAfter };
}

/** Locks the balance rows of several (point, item) pairs in one fixed order before moving them. */
export async function lockBalances(
  trx: Transaction<Database>,
  rows: readonly { pointId: string; item: string }[],
): Promise<void> {
  const sorted = [...rows].sort((a, b) =>
    `${a.pointId}|${a.item}` < `${b.pointId}|${b.item}` ? -1 : 1,
  );
  for (const row of sorted) {
    await trx
      .insertInto('stock_balance')
      .values({ point_id: row.pointId, item: row.item, quantity: 0 })
      .onConflict((conflict) => conflict.columns(['point_id', 'item']).doNothing())
      .execute();
    await sql`select 1 from stock_balance where point_id = ${row.pointId} and item = ${row.item} for update`.execute(
      trx,
    );
  }
}
