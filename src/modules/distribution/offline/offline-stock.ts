import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { OfflineLine } from './offline-tables.js';

/** What the stock needs of a counted receipt: its lines and its redemption. */
export interface CountedLines {
  candidate: { receipt: { lines: OfflineLine[] } };
  result: { redemptionId: string | null };
}

/**
 * The stock movements of a batch of counted offline receipts, as `appendMovement` writes them
 * one by one, in three statements: the point's balance rows of the items are locked in order,
 * each movement gets the balance after it in the receipts' order, the balances move once. The
 * goods already left the point while it was offline, so a balance may go below zero here: the
 * movement records it (`override_negative`), and the supervisor sees it in the stock and the
 * reconciliation, instead of the handing-over going unrecorded.
 */
export async function moveStockInBulk(
  trx: Transaction<Database>,
  pointId: string,
  counted: readonly CountedLines[],
  recordedBy: string,
): Promise<void> {
  if (counted.length === 0) return;
  const items = [
    ...new Set(counted.flatMap((each) => each.candidate.receipt.lines.map((l) => l.item))),
  ].sort();
  // The point's rows of the items, made if absent, then locked in the order `lockBalances`
  // takes them (by item as JavaScript sorts it: collation "C"), and read.
  await sql`insert into stock_balance (point_id, item, quantity)
    select ${pointId}::uuid, item, 0 from unnest(${items}::text[]) as item
    on conflict (point_id, item) do nothing`.execute(trx);
  const rows = await sql<{ item: string; quantity: number }>`
    select item, quantity from stock_balance
     where point_id = ${pointId}::uuid and item = any(${items}::text[])
     order by item collate "C" for update`.execute(trx);
  const balance = new Map(rows.rows.map((row) => [row.item, Number(row.quantity)]));
  const last = new Map<string, string>();
  const movements = counted.flatMap((each) =>
    each.candidate.receipt.lines.map((line) => {
      const after = (balance.get(line.item) ?? 0) - line.quantity;
      balance.set(line.item, after);
      const id = randomUUID();
      last.set(line.item, id);
      return {
        id,
        item: line.item,
        quantity: line.quantity,
        after,
        redemptionId: each.result.redemptionId,
      };
    }),
  );
  // The movements and the balances they end at, in one statement.
  await sql`with moved as (
      insert into stock_movement (id, point_id, item, kind, quantity_delta, balance_after,
        override_negative, redemption_id, recorded_by)
      select m.id, ${pointId}::uuid, m.item, 'redemption', -m.quantity, m.balance_after,
        m.balance_after < 0, m.redemption_id, ${recordedBy}::uuid
      from unnest(${movements.map((m) => m.id)}::uuid[], ${movements.map((m) => m.item)}::text[],
        ${movements.map((m) => m.quantity)}::int[], ${movements.map((m) => m.after)}::int[],
        ${movements.map((m) => m.redemptionId)}::uuid[])
        as m (id, item, quantity, balance_after, redemption_id)
    )
    update stock_balance as b set quantity = v.quantity, last_movement_id = v.last_movement_id
      from unnest(${items}::text[], ${items.map((item) => balance.get(item) ?? 0)}::int[],
        ${items.map((item) => last.get(item) ?? null)}::uuid[])
        as v (item, quantity, last_movement_id)
     where b.point_id = ${pointId}::uuid and b.item = v.item`.execute(trx);
}
