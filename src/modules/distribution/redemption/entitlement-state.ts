import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { EntitlementForRedemption } from '../../programs/index.js';
import type { StateReason, VoucherState } from '../tables.js';
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
 * An entitlement programs ended is cancelled or expired here whatever was recorded before.
 */
export async function entitlementAnswer(
  db: Kysely<Database>,
  entitlement: EntitlementForRedemption,
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
    entitlement.status === 'ended' ? initial.state : (state?.state ?? initial.state),
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
  // this statement inserted.
  const locked = await trx
    .insertInto('entitlement_redemption_state')
    .values({
      entitlement_id: entitlement.entitlementId,
      person_id: entitlement.personId,
      program_id: entitlement.programId,
      state: initial.state,
      state_reason: initial.reason,
    })
    .onConflict((conflict) =>
      conflict
        .column('entitlement_id')
        .doUpdateSet((update) => ({ state: update.ref('entitlement_redemption_state.state') })),
    )
    .returning(['state', sql<boolean>`xmax = 0`.as('created')])
    .executeTakeFirstOrThrow();
  const state = entitlement.status === 'ended' ? initial.state : locked.state;
  if (!locked.created) return { state, items: await itemBalances(trx, entitlement.entitlementId) };
  // First seen at a point: what waits from the program's closed cycle is taken into it now.
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
  return { state, items: [...items].sort((a, b) => (a.item < b.item ? -1 : 1)) };
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
