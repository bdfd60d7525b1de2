import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import {
  type EntitlementForRedemption,
  type EntitlementRelationRow,
  entitlementForRedemptionRelation,
  entitlementFromRelation,
  entitlementsForRedemptionRelation,
} from '../../programs/index.js';
import { heldSinceColumn } from '../holds/hold-reads.js';
import { redeemableStates, type StateReason, type VoucherState } from '../tables.js';
import { type CarriedLine, carriedInto, withCarried } from './carry-over.js';

/** What a point learns of one entitlement: what the person may take and what remains. */
export interface EntitlementAnswer {
  entitlementId: string;
  programCode: string;
  programNameEs: string;
  programNameEn: string;
  referenceDate: string;
  state: VoucherState;
  items: ItemBalance[];
}

export interface ItemBalance {
  item: string;
  unit: string;
  granted: number;
  remaining: number;
  /**
   * Held by offline conflicts still under review (migration 0140): out of `remaining` until a
   * supervisor decides. Only in a lookup's answer, and only when some is held.
   */
  inDispute?: number;
}

/**
 * The state an entitlement has before any point touched it, from what programs say: an ended one
 * is `cancelled` (death, merge, erasure) or `expired` (cycle closed), with the reason.
 */
export function initialState(entitlement: EntitlementForRedemption): {
  state: VoucherState;
  reason: StateReason | null;
} {
  if (entitlement.status === 'ended') {
    const reason = entitlement.endedReason ?? 'cycle_closed';
    return { state: reason === 'cycle_closed' ? 'expired' : 'cancelled', reason };
  }
  return { state: 'activated', reason: null };
}

/**
 * Not handed over yet: the entitlement was written when its cycle was approved, and the cycle
 * is not published — distribution starts at publication, when each holder is told
 * (docs/DISTRIBUTION.md, "Entitlement states"). Derived, never stored: publishing needs no write.
 */
export function preActivated(entitlement: EntitlementForRedemption): boolean {
  return entitlement.status === 'open' && entitlement.cycleStatus === 'approved';
}

/**
 * What a redeemable entitlement answers while something outside its state row stops it: its
 * cycle not yet published (`pre_activated`), a supervisor's hold in force (`blocked`), its
 * program suspended (`suspended`). Each is derived, never stored, so when it ends the
 * entitlement is redeemable again as it was (docs/DISTRIBUTION.md, "Entitlement states").
 */
export function shownState(
  entitlement: EntitlementForRedemption,
  state: VoucherState,
  held: boolean,
): VoucherState {
  if (!redeemableStates.includes(state)) return state;
  if (preActivated(entitlement)) return 'pre_activated';
  if (held) return 'blocked';
  return entitlement.programStatus === 'suspended' ? 'suspended' : state;
}

function grantedItems(
  entitlement: EntitlementForRedemption,
  carried: readonly CarriedLine[],
): ItemBalance[] {
  return withCarried(entitlement.basket ?? [], carried).map((line) => ({
    item: line.item,
    unit: line.unit,
    granted: line.quantity,
    remaining: line.quantity,
  }));
}

/**
 * The answer for one entitlement, read without writing: the point's recorded state and
 * remaining quantities, or, if no point has redeemed it yet, what the program grants plus what
 * was carried over to it from the program's closed cycle.
 * An entitlement programs ended is cancelled or expired here whatever was recorded before;
 * `held` says a supervisor's hold is in force on it (`holdsInForce`).
 */
export async function entitlementAnswer(
  db: Kysely<Database>,
  entitlement: EntitlementForRedemption,
  held: boolean,
): Promise<EntitlementAnswer> {
  const state = await db
    .selectFrom('entitlement_redemption_state')
    .select(['state'])
    .where('entitlement_id', '=', entitlement.entitlementId)
    .executeTakeFirst();
  const items =
    state === undefined
      ? grantedItems(entitlement, await carriedInto(db, entitlement, { take: false }))
      : await itemBalances(db, entitlement.entitlementId);
  const initial = initialState(entitlement);
  return answerAfter(
    entitlement,
    entitlement.status === 'ended'
      ? initial.state
      : shownState(entitlement, state?.state ?? initial.state, held),
    items,
  );
}

async function itemBalances(db: Kysely<Database>, entitlementId: string): Promise<ItemBalance[]> {
  const rows = await db
    .selectFrom('entitlement_item_balance')
    .select(['item', 'unit', 'quantity_granted', 'quantity_remaining'])
    .where('entitlement_id', '=', entitlementId)
    .orderBy('item')
    .execute();
  return rows.map((row) => ({
    item: row.item,
    unit: row.unit,
    granted: row.quantity_granted,
    remaining: row.quantity_remaining,
  }));
}

/**
 * Creates the entitlement's state at the points on first use and locks it for the rest of the
 * transaction: every redemption of one entitlement passes here one at a time, so what the
 * second sees is what the first left (exactly once, whichever point comes second).
 */
export async function lockEntitlementState(
  trx: Transaction<Database>,
  entitlement: EntitlementForRedemption,
): Promise<{ state: VoucherState; items: ItemBalance[] }> {
  const initial = initialState(entitlement);
  // One statement creates the row or, when it exists, locks it (the no-op update waits for a
  // redemption holding it and returns the state that one committed): `xmax = 0` only on a row
  // this statement inserted. The same statement reads the remaining quantities `for update`:
  // its snapshot predates a redemption it waited for, but a locking read returns the newest
  // committed version of each row, so it sees what that redemption left (one round trip where
  // there were two). Rows inserted after the snapshot are not seen at all: a state row created
  // by a concurrent first use comes back with no items, and they are then read on their own.
  const { rows } = await sql<{ state: VoucherState; created: boolean; items: ItemBalance[] }>`
    with locked as (
      insert into entitlement_redemption_state (entitlement_id, person_id, program_id, state,
        state_reason)
      values (${entitlement.entitlementId}, ${entitlement.personId}, ${entitlement.programId},
        ${initial.state}, ${initial.reason})
      on conflict (entitlement_id) do update set state = entitlement_redemption_state.state
      returning state, xmax = 0 as created
    )
    select locked.state, locked.created,
      case when locked.created then '[]'::json else ${lockedBalances(entitlement.entitlementId)}
      end as items
    from locked
  `.execute(trx);
  const locked = rows[0];
  if (locked === undefined) throw new Error('the entitlement state upsert returned no row');
  const state = entitlement.status === 'ended' ? initial.state : locked.state;
  if (!locked.created) {
    const items =
      locked.items.length > 0 ? locked.items : await itemBalances(trx, entitlement.entitlementId);
    return { state, items };
  }
  return { state, items: await firstUse(trx, entitlement) };
}

/**
 * First seen at a point: what waits from the program's closed cycle is taken into it now, and
 * the item balances are created.
 */
async function firstUse(
  trx: Transaction<Database>,
  entitlement: EntitlementForRedemption,
): Promise<ItemBalance[]> {
  const items = grantedItems(entitlement, await carriedInto(trx, entitlement, { take: true }));
  if (items.length > 0) {
    await trx
      .insertInto('entitlement_item_balance')
      .values(
        items.map((line) => ({
          entitlement_id: entitlement.entitlementId,
          item: line.item,
          unit: line.unit,
          quantity_granted: line.granted,
          quantity_remaining: line.remaining,
        })),
      )
      .execute();
  }
  return [...items].sort((a, b) => (a.item < b.item ? -1 : 1));
}

/**
 * The remaining quantities as a JSON array, read `for update`: in a statement that waited for
 * the state row's lock, a locking read returns the newest committed version of each row (what
 * the redemption it waited for left), though the statement's snapshot predates it.
 */
function lockedBalances(entitlementId: string): RawBuilder<ItemBalance[]> {
  return sql`(
    select coalesce(json_agg(json_build_object('item', b.item, 'unit', b.unit,
      'granted', b.quantity_granted, 'remaining', b.quantity_remaining) order by b.item),
      '[]'::json)
    from (select item, unit, quantity_granted, quantity_remaining
      from entitlement_item_balance
      where entitlement_id = ${entitlementId}
      for update) b
  )`;
}

/**
 * A card or assisted redemption's entitlement (programs' relation), its state row created or
 * locked, and its remaining quantities, in one statement (one round trip where there were
 * three). Only an open entitlement of this person in a program the point serves gets a state
 * row; for any other the caller refuses, and its transaction rolls back. Undefined when there
 * is no such entitlement.
 */
export async function lockForRedemption(
  trx: Transaction<Database>,
  props: {
    entitlementId: string;
    personId: string;
    servedProgramIds: readonly string[];
    /** When a supervisor's hold in force is looked for (`heldSince`). */
    now: Date;
  },
): Promise<LockedForRedemption | undefined> {
  const { rows } = await sql<LockedRow>`
    with e as (${entitlementForRedemptionRelation(props.entitlementId)}),
    locked as (
      insert into entitlement_redemption_state (entitlement_id, person_id, program_id, state)
      select e.id, e.person_id, e.program_id, 'activated' from e
       where e.status = 'open' and e.person_id = ${props.personId}
         and e.program_id = any(${[...props.servedProgramIds]}::uuid[])
      on conflict (entitlement_id) do update set state = entitlement_redemption_state.state
      returning state, xmax = 0 as created
    )
    select e.*, locked.state as locked_state, locked.created,
      case when locked.created is false then ${lockedBalances(props.entitlementId)} end as items,
      ${heldSinceColumn(sql.ref('e.id'), props.now)} as held_since
    from e left join locked on true
  `.execute(trx);
  const row = rows[0];
  return row === undefined ? undefined : lockedFrom(trx, row);
}

type LockedRow = EntitlementRelationRow & {
  locked_state: VoucherState | null;
  created: boolean | null;
  items: ItemBalance[] | null;
  held_since: Date | string | null;
};

/**
 * A locked entitlement: its state and remaining quantities, and when the supervisor's hold in
 * force on it was placed (null when none is).
 */
export interface LockedForRedemption {
  entitlement: EntitlementForRedemption;
  state: VoucherState;
  items?: ItemBalance[];
  heldSince: Date | null;
}

/** One row of the locking statements, as the caller needs it. */
async function lockedFrom(
  trx: Transaction<Database>,
  row: LockedRow,
): Promise<LockedForRedemption> {
  const { locked_state: state, created, items, held_since, ...relation } = row;
  const entitlement = entitlementFromRelation(relation);
  const heldSince = held_since === null ? null : new Date(held_since);
  // Not locked (ended, another person's, a program the point does not serve): refused by the
  // caller; an ended entitlement answers the state programs imply, as `lockEntitlementState`.
  if (state === null || created === null) {
    return { entitlement, state: initialState(entitlement).state, heldSince };
  }
  if (created) return { entitlement, state, items: await firstUse(trx, entitlement), heldSince };
  const locked =
    items !== null && items.length > 0 ? items : await itemBalances(trx, entitlement.entitlementId);
  return { entitlement, state, items: locked, heldSince };
}

/** One entitlement of `lockManyForRedemption`: whose it must be, and what the point serves. */
export interface RedemptionTarget {
  entitlementId: string;
  personId: string;
  servedProgramIds: readonly string[];
}

/**
 * `lockForRedemption` for several distinct entitlements in one statement (a batch of concurrent
 * redemptions): the state rows created or locked in entitlement order (two batches lock shared
 * entitlements in the same order, so they queue rather than deadlock), each with its remaining
 * quantities read `for update`. Answers in the targets' order; undefined where there is no such
 * entitlement. What happens on a first use, or to a state row created concurrently, is what
 * `lockForRedemption` does, one entitlement at a time.
 */
export async function lockManyForRedemption(
  trx: Transaction<Database>,
  targets: readonly RedemptionTarget[],
  now: Date,
): Promise<(LockedForRedemption | undefined)[]> {
  const allowed = targets.flatMap((target) =>
    target.servedProgramIds.map((programId) => [target.entitlementId, target.personId, programId]),
  );
  const column = (index: number) => allowed.map((triple) => triple[index] as string);
  const { rows } = await sql<LockedRow>`
    with e as (${entitlementsForRedemptionRelation(targets.map((target) => target.entitlementId))}),
    locked as (
      insert into entitlement_redemption_state (entitlement_id, person_id, program_id, state)
      select e.id, e.person_id, e.program_id, 'activated' from e
       where e.status = 'open' and exists (
         select 1 from unnest(${column(0)}::uuid[], ${column(1)}::uuid[], ${column(2)}::uuid[])
           as a (entitlement_id, person_id, program_id)
         where a.entitlement_id = e.id and a.person_id = e.person_id
           and a.program_id = e.program_id)
       order by e.id
      on conflict (entitlement_id) do update set state = entitlement_redemption_state.state
      returning entitlement_id, state, xmax = 0 as created
    )
    select e.*, locked.state as locked_state, locked.created,
      case when locked.created is false then (
        select coalesce(json_agg(json_build_object('item', b.item, 'unit', b.unit,
          'granted', b.quantity_granted, 'remaining', b.quantity_remaining) order by b.item),
          '[]'::json)
        from (select item, unit, quantity_granted, quantity_remaining
          from entitlement_item_balance
          where entitlement_id = e.id
          for update) b
      ) end as items,
      ${heldSinceColumn(sql.ref('e.id'), now)} as held_since
    from e left join locked on locked.entitlement_id = e.id
    order by e.id
  `.execute(trx);
  const found = new Map<string, LockedForRedemption>();
  for (const row of rows) {
    const locked = await lockedFrom(trx, row);
    found.set(locked.entitlement.entitlementId, locked);
  }
  return targets.map((target) => found.get(target.entitlementId));
}

/** The answer after a redemption, from what the transaction wrote (no second read). */
export function answerAfter(
  entitlement: EntitlementForRedemption,
  state: VoucherState,
  items: readonly ItemBalance[],
): EntitlementAnswer {
  return {
    entitlementId: entitlement.entitlementId,
    programCode: entitlement.programCode,
    programNameEs: entitlement.programNameEs,
    programNameEn: entitlement.programNameEn,
    referenceDate: entitlement.referenceDate,
    state,
    items: items.map((line) => ({ ...line })),
  };
}

/** The state the remaining quantities imply. */
export function stateAfter(items: readonly ItemBalance[]): VoucherState {
  return items.every((line) => line.remaining === 0) ? 'consumed' : 'partially_consumed';
}

/** Writes the remaining quantities and the state they imply, after a redemption. */
export async function recordRemaining(
  trx: Transaction<Database>,
  entitlementId: string,
  items: readonly ItemBalance[],
): Promise<VoucherState> {
  for (const line of items) {
    await trx
      .updateTable('entitlement_item_balance')
      .set({ quantity_remaining: line.remaining })
      .where('entitlement_id', '=', entitlementId)
      .where('item', '=', line.item)
      .execute();
  }
  const state = stateAfter(items);
  await trx
    .updateTable('entitlement_redemption_state')
    .set({ state, updated_at: new Date() })
    .where('entitlement_id', '=', entitlementId)
    .execute();
  return state;
}
