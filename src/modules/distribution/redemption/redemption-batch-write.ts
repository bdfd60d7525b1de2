import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { type RawBuilder, sql, type Transaction } from 'kysely';
import type { ClaimedKey, IdempotencyRow } from '../../../platform/db/idempotency.js';
import type { Database } from '../../../platform/db/schema.js';
import type { EntitlementForRedemption } from '../../programs/index.js';
import type { VoucherState } from '../tables.js';
import type { ItemBalance } from './entitlement-state.js';
import type { SignedReceipt } from './receipt.js';
import type { RedemptionAnswer } from './redemption-answer.js';
import type { BatchedRedemption } from './redemption-batch-item.js';

/** A redemption of the batch that will be written: what it takes and what it answers. */
export interface ReadyRedemption {
  redemption: BatchedRedemption;
  claim: ClaimedKey<RedemptionAnswer>;
  entitlement: EntitlementForRedemption;
  state: VoucherState;
  /** Every item of the basket with what remains after this redemption. */
  itemsAfter: ItemBalance[];
}

/** A redemption of the batch as written: its ids, receipt and the first answer under its key. */
export interface WrittenRedemption extends ReadyRedemption {
  redemptionId: string;
  receipt: SignedReceipt;
  answerRow: IdempotencyRow;
  operatorId: string | null;
}

/** What the batch's write did to the stock. */
export interface StockWritten {
  /** Movements written: one per redemption when every stock row had enough. */
  movements: number;
  /**
   * A point's stock row was missing or had less than its redemptions' total: it was not moved,
   * and the caller must roll the batch back (the rest of the statement wrote it all).
   */
  stockShort: boolean;
}

/**
 * Writes a batch of one-line card redemptions (distinct entitlements, their state rows already
 * locked by the batch) in one statement, as `writeRedemption` writes one: what remains and the
 * state it implies, the redemptions and their lines, the first answers under their keys, each
 * point's stock row locked (in (point, item) order, as `lockBalances`) and moved once by its
 * redemptions' total, only if that leaves it at zero or more, with one movement each (the
 * balance after each computed from the moved row, in the batch's order), and the other
 * modules' inserts (the kept texts, the staged audit entries). The stock rows are locked here,
 * not by a statement of their own before: one round trip less; a row that was short is
 * answered in `stockShort`, and the batch then runs again with its stock locked first.
 */
export async function redemptionWrite(
  trx: Transaction<Database>,
  input: {
    written: readonly WrittenRedemption[];
    redeemedAt: Date;
    alsoWritten: readonly RawBuilder<unknown>[];
  },
): Promise<StockWritten> {
  const rows = input.written.map((each) => {
    const line = each.receipt.receipt.lines[0];
    assert.ok(line !== undefined && each.receipt.receipt.lines.length === 1, 'one line');
    return { ...each, line, movementId: randomUUID() };
  });
  const column = <T>(pick: (row: (typeof rows)[number]) => T): T[] => rows.map(pick);
  const stock = stockTotals(rows);
  const also = input.alsoWritten.map(
    (statement, index) => sql`${sql.raw(`also_${index}`)} as (${statement}), `,
  );
  const ids = column((row) => row.redemptionId);
  const entitlements = column((row) => row.entitlement.entitlementId);
  const items = column((row) => row.line.item);
  const remaining = column((row) => row.line.remainingAfter);
  const quantities = column((row) => row.line.quantity);
  const points = column((row) => row.redemption.gate.point.id);
  const operators = column((row) => row.operatorId);
  const answers = column((row) => row.answerRow);
  const result = await sql<{
    moved: { point_id: string; item: string; quantity: number }[] | null;
    movements: number;
  }>`
    with ${sql.join(also, sql``)} balances as (
      update entitlement_item_balance b set quantity_remaining = v.remaining
      from unnest(${entitlements}::uuid[], ${items}::text[], ${remaining}::int[])
        as v (entitlement_id, item, remaining)
      where b.entitlement_id = v.entitlement_id and b.item = v.item
      returning 1
    ), state as (
      update entitlement_redemption_state s set state = v.state, updated_at = ${input.redeemedAt}
      from unnest(${entitlements}::uuid[], ${column((row) => row.state)}::text[])
        as v (entitlement_id, state)
      where s.entitlement_id = v.entitlement_id
      returning 1
    ), written as (
      insert into redemption (id, entitlement_id, person_id, program_id, cycle_id, point_id,
        operator_id, mode, credential_id, assisted_id, redeemed_at, receipt_signature)
      select r.id, r.entitlement_id, r.person_id, r.program_id, r.cycle_id, r.point_id,
        r.operator_id, 'card', decode(r.credential_hex, 'hex'), null, ${input.redeemedAt},
        r.signature
      from unnest(${ids}::uuid[], ${entitlements}::uuid[],
        ${column((row) => row.entitlement.personId)}::uuid[],
        ${column((row) => row.entitlement.programId)}::uuid[],
        ${column((row) => row.entitlement.cycleId)}::uuid[], ${points}::uuid[],
        ${operators}::uuid[], ${column((row) => row.redemption.credentialId)}::text[],
        ${column((row) => row.receipt.signature)}::text[])
        as r (id, entitlement_id, person_id, program_id, cycle_id, point_id, operator_id,
          credential_hex, signature)
      returning id
    ), written_lines as (
      insert into redemption_line (redemption_id, item, unit, quantity, remaining_after)
      select * from unnest(${ids}::uuid[], ${items}::text[],
        ${column((row) => row.line.unit)}::text[], ${quantities}::int[], ${remaining}::int[])
      where exists (select 1 from written)
      returning 1
    ), answered as (
      insert into idempotency_record (scope, key, request_sha256, response_status, response_body)
      select a.scope, a.key, decode(a.sha, 'hex'), a.status, a.body::jsonb
      from unnest(${answers.map((row) => row.scope)}::text[],
        ${answers.map((row) => row.key)}::uuid[],
        ${answers.map((row) => row.request_sha256.toString('hex'))}::text[],
        ${answers.map((row) => row.response_status)}::int[],
        ${answers.map((row) => row.response_body)}::text[])
        as a (scope, key, sha, status, body)
      returning 1
    ), stock_locked as (
      select s.point_id, s.item from stock_balance s
      where (s.point_id, s.item) in (
        select * from unnest(${stock.map((each) => each.pointId)}::uuid[],
          ${stock.map((each) => each.item)}::text[]))
      order by s.point_id, s.item
      for update
    ), moved as (
      update stock_balance s set quantity = s.quantity - v.delta,
        last_movement_id = v.last_movement_id
      from stock_locked l
      join unnest(${stock.map((each) => each.pointId)}::uuid[],
        ${stock.map((each) => each.item)}::text[], ${stock.map((each) => each.delta)}::int[],
        ${stock.map((each) => each.lastMovementId)}::uuid[])
        as v (point_id, item, delta, last_movement_id)
        on v.point_id = l.point_id and v.item = l.item
      where s.point_id = l.point_id and s.item = l.item and s.quantity - v.delta >= 0
      returning s.point_id, s.item, s.quantity
    ), movement as (
      insert into stock_movement (id, point_id, item, kind, quantity_delta, balance_after,
        redemption_id, recorded_by)
      select m.id, m.point_id, m.item, 'redemption', -m.quantity,
        moved.quantity + coalesce(sum(m.quantity) over (partition by m.point_id, m.item
          order by m.ord rows between 1 following and unbounded following), 0),
        m.redemption_id, m.recorded_by
      from unnest(${column((row) => row.movementId)}::uuid[], ${points}::uuid[],
        ${items}::text[], ${quantities}::int[], ${ids}::uuid[], ${operators}::uuid[])
        with ordinality as m (id, point_id, item, quantity, redemption_id, recorded_by, ord)
      join moved on moved.point_id = m.point_id and moved.item = m.item
      order by m.ord
      returning 1
    )
    select (select json_agg(json_build_object('point_id', point_id, 'item', item,
        'quantity', quantity)) from moved) as moved,
      (select count(*) from movement)::int as movements
  `.execute(trx);
  const row = result.rows[0];
  const moved = new Map(
    (row?.moved ?? []).map((each) => [`${each.point_id}|${each.item}`, each.quantity]),
  );
  for (const quantity of moved.values()) assert.ok(quantity >= 0, 'stock never below zero');
  return {
    movements: row?.movements ?? 0,
    stockShort: stock.some((each) => !moved.has(`${each.pointId}|${each.item}`)),
  };
}

/** Each point and item's total taken by the batch, its last movement and the balance after. */
function stockTotals(
  rows: readonly (WrittenRedemption & { line: { item: string; quantity: number } } & {
    movementId: string;
  })[],
) {
  const totals = new Map<
    string,
    { pointId: string; item: string; delta: number; lastMovementId: string }
  >();
  for (const row of rows) {
    const pointId = row.redemption.gate.point.id;
    const key = `${pointId}|${row.line.item}`;
    const known = totals.get(key);
    totals.set(key, {
      pointId,
      item: row.line.item,
      delta: (known?.delta ?? 0) + row.line.quantity,
      lastMovementId: row.movementId,
    });
  }
  return [...totals.values()];
}
