import { type Insertable, type Kysely, sql, type Transaction } from 'kysely';
import { limits } from '../../../limits.js';
import type { Database } from '../../../platform/db/schema.js';
import {
  type CycleClosingHook,
  type EntitlementForRedemption,
  openEntitlementsOfCycle,
} from '../../programs/index.js';
import { redeemableStates } from '../tables.js';

/** A quantity carried from a closed cycle, waiting for the person's next entitlement. */
export interface CarriedLine {
  item: string;
  unit: string;
  quantity: number;
}

/**
 * Cycle close at the points (issue #15, point 8), subscribed to programs' `cycleCloser` in
 * `src/app.ts` and run inside its transaction while the cycle's entitlements are still open.
 * What was not taken expires: every redemption state still redeemable becomes `expired`
 * (`cycle_closed`); an entitlement no point saw reads `expired` from programs' ended status. The
 * basket items the program marks `carryOver` are the exception: what remains of each, at most
 * one basket's worth, waits (`entitlement_carry_over`) for the person's entitlement of the
 * program's next cycle. A carry-over still waiting from an earlier close lapses now: a quantity
 * carries over once. An entitlement with an offline conflict open has no remainder yet (the
 * review may give a hold back, reverse hand-overs or count another): its carry-over is held
 * (`entitlement_carry_over_held`, migration 0103), listed beside the conflict, and released by
 * the clearing of its last conflict (`releaseHeldCarryOver`). Pages of
 * `limits.distribution.cycleCloseBatchMax` entitlements.
 *
 * @example
 *   await app.register(programsPlugin, { …, onCycleClosing: settleUnredeemedOnCycleClose });
 */
export const settleUnredeemedOnCycleClose: CycleClosingHook = async (trx, cycle) => {
  const now = new Date();
  const waiting = await waitingByPerson(trx, cycle.programId);
  const carried: Insertable<Database['entitlement_carry_over']>[] = [];
  const held: Database['entitlement_carry_over_held'][] = [];
  let afterId: string | null = null;
  for (;;) {
    const page = await openEntitlementsOfCycle(trx, {
      cycleId: cycle.id,
      afterId,
      limit: limits.distribution.cycleCloseBatchMax,
    });
    if (page.length === 0) break;
    // Locked first, in id order, as a sync locks them: a conflict being cleared holds its row, and
    // what remains must be read after it (it may leave the row redeemable, then expired here).
    await trx
      .selectFrom('entitlement_redemption_state')
      .select('entitlement_id')
      .where(
        'entitlement_id',
        'in',
        page.map((entitlement) => entitlement.entitlementId),
      )
      .orderBy('entitlement_id')
      .forUpdate()
      .execute();
    const { remaining, flagged } = await remainingOf(trx, page, waiting);
    for (const entitlement of page) {
      for (const line of entitlement.basket ?? []) {
        if (line.carryOver !== true) continue;
        // Which entitlement, item and cycle a carry-over (or its hold) comes from.
        const source = {
          from_entitlement_id: entitlement.entitlementId,
          item: line.item,
          person_id: entitlement.personId,
          program_id: entitlement.programId,
          from_cycle_id: cycle.id,
          unit: line.unit,
        };
        if (flagged.has(entitlement.entitlementId)) {
          held.push({
            ...source,
            quantity_max: line.quantity,
            held_at: now,
            next_cycle_closed_at: null,
            released_at: null,
          });
          continue;
        }
        const left = remaining.get(entitlement.entitlementId)?.get(line.item) ?? 0;
        const quantity = Math.min(left, line.quantity);
        if (quantity <= 0) continue;
        carried.push({
          ...source,
          quantity,
          carried_at: now,
          into_entitlement_id: null,
          applied_at: null,
          lapsed_at: null,
        });
      }
    }
    await trx
      .updateTable('entitlement_redemption_state')
      .set({ state: 'expired', state_reason: 'cycle_closed', updated_at: now })
      .where(
        'entitlement_id',
        'in',
        page.map((entitlement) => entitlement.entitlementId),
      )
      .where('state', 'in', [...redeemableStates])
      .execute();
    afterId = page.at(-1)?.entitlementId ?? null;
  }
  await trx
    .updateTable('entitlement_carry_over')
    .set({ lapsed_at: now })
    .where('program_id', '=', cycle.programId)
    .where('applied_at', 'is', null)
    .where('lapsed_at', 'is', null)
    .execute();
  // A carry-over still held from an earlier close has had its turn too: released, it lapses.
  await trx
    .updateTable('entitlement_carry_over_held')
    .set({ next_cycle_closed_at: now })
    .where('program_id', '=', cycle.programId)
    .where('from_cycle_id', '!=', cycle.id)
    .where('released_at', 'is', null)
    .where('next_cycle_closed_at', 'is', null)
    .execute();
  const batch = limits.distribution.cycleCloseBatchMax;
  for (let start = 0; start < carried.length; start += batch) {
    await trx
      .insertInto('entitlement_carry_over')
      .values(carried.slice(start, start + batch))
      .execute();
  }
  for (let start = 0; start < held.length; start += batch) {
    await trx
      .insertInto('entitlement_carry_over_held')
      .values(held.slice(start, start + batch))
      .execute();
  }
};

/**
 * Releases what a cycle's close held for a flagged entitlement, once its last conflict is
 * cleared: in the clearing's transaction (the entitlement's state row locked), what now remains
 * of each held item, at most its cap, is carried over as any carry-over is — waiting for the
 * person's next entitlement of the program, or written lapsed when that cycle closed meanwhile.
 * Nothing remaining carries nothing. Resolves to the lines carried (lapsed ones left out).
 *
 * @example
 *   await releaseHeldCarryOver(trx, entitlementId, new Date()); // [{ item: 'insulin', … }]
 */
export async function releaseHeldCarryOver(
  trx: Transaction<Database>,
  entitlementId: string,
  now: Date,
): Promise<CarriedLine[]> {
  const holds = await trx
    .selectFrom('entitlement_carry_over_held')
    .selectAll()
    .where('from_entitlement_id', '=', entitlementId)
    .where('released_at', 'is', null)
    .orderBy('item')
    .forUpdate()
    .execute();
  if (holds.length === 0) return [];
  const balances = await trx
    .selectFrom('entitlement_item_balance')
    .select(['item', 'quantity_remaining'])
    .where('entitlement_id', '=', entitlementId)
    .execute();
  const left = new Map(balances.map((row) => [row.item, row.quantity_remaining]));
  const rows = holds.flatMap(
    ({ quantity_max, held_at, next_cycle_closed_at, released_at, ...source }) => {
      const quantity = Math.min(left.get(source.item) ?? 0, quantity_max);
      if (quantity <= 0) return [];
      return [
        {
          ...source,
          quantity,
          carried_at: now,
          into_entitlement_id: null,
          applied_at: null,
          lapsed_at: next_cycle_closed_at === null ? null : now,
        },
      ];
    },
  );
  if (rows.length > 0) await trx.insertInto('entitlement_carry_over').values(rows).execute();
  await trx
    .updateTable('entitlement_carry_over_held')
    .set({ released_at: now })
    .where('from_entitlement_id', '=', entitlementId)
    .where('released_at', 'is', null)
    .execute();
  return rows
    .filter((row) => row.lapsed_at === null)
    .map((row) => ({ item: row.item, unit: row.unit, quantity: row.quantity }));
}

/**
 * Per entitlement of the page, per item, what remains: recorded, or granted plus waiting; and
 * which have an offline conflict open — flagged whole by one synced before migration 0140, or
 * holding what it disputes (what remains of them is known once it is cleared).
 */
async function remainingOf(
  trx: Transaction<Database>,
  page: readonly EntitlementForRedemption[],
  waiting: Map<string, CarriedLine[]>,
): Promise<{ remaining: Map<string, Map<string, number>>; flagged: Set<string> }> {
  const ids = page.map((entitlement) => entitlement.entitlementId);
  const states = await trx
    .selectFrom('entitlement_redemption_state')
    .select(['entitlement_id', 'state'])
    .where('entitlement_id', 'in', ids)
    .execute();
  const balances = await trx
    .selectFrom('entitlement_item_balance')
    .select(['entitlement_id', 'item', 'quantity_remaining'])
    .where('entitlement_id', 'in', ids)
    .execute();
  const stateOf = new Map(states.map((row) => [row.entitlement_id, row.state]));
  const result = new Map<string, Map<string, number>>();
  for (const entitlement of page) {
    const state = stateOf.get(entitlement.entitlementId);
    const items = new Map<string, number>();
    if (state === undefined) {
      const granted = withCarried(entitlement.basket ?? [], waiting.get(entitlement.personId));
      for (const line of granted) items.set(line.item, line.quantity);
    } else if (redeemableStates.includes(state)) {
      for (const row of balances) {
        if (row.entitlement_id === entitlement.entitlementId) {
          items.set(row.item, row.quantity_remaining);
        }
      }
    }
    result.set(entitlement.entitlementId, items);
  }
  const disputed = await trx
    .selectFrom('offline_receipt as o')
    .leftJoin('offline_conflict_resolution as c', 'c.receipt_id', 'o.id')
    .select('o.entitlement_id')
    .distinct()
    .where('o.entitlement_id', 'in', ids)
    .where('o.outcome', '=', 'conflict')
    .where('c.receipt_id', 'is', null)
    .execute();
  const flagged = new Set([
    ...states.filter((row) => row.state === 'conflict_flagged').map((row) => row.entitlement_id),
    ...disputed.map((row) => row.entitlement_id),
  ]);
  return { remaining: result, flagged };
}

async function waitingByPerson(
  db: Kysely<Database>,
  programId: string,
): Promise<Map<string, CarriedLine[]>> {
  const rows = await db
    .selectFrom('entitlement_carry_over')
    .select(['person_id', 'item', 'unit', carriedQuantity])
    .where('program_id', '=', programId)
    .where('applied_at', 'is', null)
    .where('lapsed_at', 'is', null)
    .where(stillCarried)
    .execute();
  const byPerson = new Map<string, CarriedLine[]>();
  for (const row of rows) {
    const lines = byPerson.get(row.person_id) ?? [];
    lines.push({ item: row.item, unit: row.unit, quantity: row.quantity });
    byPerson.set(row.person_id, lines);
  }
  return byPerson;
}

/**
 * What a carry-over row carries: its quantity less what late offline receipts withdrew (migration
 * 0154); a row withdrawn whole carries nothing and is passed over.
 */
export const carriedQuantity = sql<number>`quantity - quantity_withdrawn`.as('quantity');
export const stillCarried = sql<boolean>`quantity > quantity_withdrawn`;

/** The basket with carried quantities added (an item the basket no longer holds is its own line). */
export function withCarried(
  basket: readonly { item: string; unit: string; quantity: number }[],
  carried: readonly CarriedLine[] | undefined,
): CarriedLine[] {
  const lines = basket.map((line) => ({
    item: line.item,
    unit: line.unit,
    quantity: line.quantity,
  }));
  for (const extra of carried ?? []) {
    const same = lines.find((line) => line.item === extra.item);
    if (same === undefined) lines.push({ ...extra });
    else same.quantity += extra.quantity;
  }
  return lines;
}

/**
 * What waits for this open entitlement from the program's closed cycles (not its own), read
 * only (a point's answer), or taken (`into` set) when the entitlement is first seen at a point.
 */
export async function carriedInto(
  db: Kysely<Database>,
  entitlement: EntitlementForRedemption,
  options: { take: boolean },
): Promise<CarriedLine[]> {
  if (entitlement.status !== 'open') return [];
  let select = db
    .selectFrom('entitlement_carry_over')
    .select(['from_entitlement_id', 'item', 'unit', carriedQuantity])
    .where('person_id', '=', entitlement.personId)
    .where('program_id', '=', entitlement.programId)
    .where('from_cycle_id', '!=', entitlement.cycleId)
    .where('applied_at', 'is', null)
    .where('lapsed_at', 'is', null)
    .where(stillCarried)
    .orderBy('from_entitlement_id')
    .orderBy('item');
  if (options.take) select = select.forUpdate();
  const rows = await select.execute();
  if (options.take && rows.length > 0) {
    await db
      .updateTable('entitlement_carry_over')
      .set({ into_entitlement_id: entitlement.entitlementId, applied_at: new Date() })
      .where('person_id', '=', entitlement.personId)
      .where('program_id', '=', entitlement.programId)
      .where('from_cycle_id', '!=', entitlement.cycleId)
      .where('applied_at', 'is', null)
      .where('lapsed_at', 'is', null)
      .where(stillCarried)
      .execute();
  }
  return rows.map((row) => ({ item: row.item, unit: row.unit, quantity: row.quantity }));
}
