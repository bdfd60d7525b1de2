import { sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { EntitlementForRedemption } from '../../programs/index.js';
import { initialState } from '../redemption/entitlement-state.js';
import { redeemableStates, type VoucherState } from '../tables.js';
import type { OfflineLine } from './offline-tables.js';

/**
 * Late receipts (docs/DISTRIBUTION.md, "Late receipts"): an offline hand-over made **before** its
 * entitlement ended — the cycle closed, or a death, merge or erasure cancelled it — and synced
 * after. The goods left the point while the entitlement was in force, so the receipt counts
 * against it as of then, as one made before a suspension does; refusing it would leave the
 * stock wrong and, where the close carried the remainder over, let the person collect it twice.
 * One made at or after the end is refused as before.
 *
 * @example
 *   inForceAt(entitlement, receipt.deviceTime); // open, or ended after the receipt was made
 */
export function inForceAt(entitlement: EntitlementForRedemption, deviceTime: number): boolean {
  if (entitlement.status === 'open') return true;
  return entitlement.endedAt !== null && deviceTime < entitlement.endedAt.getTime();
}

/**
 * The states an ended entitlement's row holds when it was redeemable as it ended: `expired` (the
 * close) or `cancelled` (death, merge, erasure) — what remained then is what a late receipt
 * (checked by `inForceAt` before the transaction) may take.
 */
export function redeemableWhenEnded(
  entitlement: EntitlementForRedemption,
  state: VoucherState,
): boolean {
  return entitlement.status === 'ended' && (state === 'expired' || state === 'cancelled');
}

interface Kept {
  id: string;
  entitlement_id: string;
  outcome: 'counted' | 'conflict';
  lines: OfflineLine[] | string;
  held: OfflineLine[] | string | null;
}

/**
 * After a batch's rows are written, in its transaction (the entitlements' state rows locked):
 * the ended entitlements its late receipts touched keep their ended state (`expired` or
 * `cancelled`, with the reason: never reopened), and what a closed cycle carried over of them is
 * withdrawn by what the late receipts took (`withdrawCarryOver`).
 *
 * @example
 *   await settleLateReceipts(trx, ordered, now);
 */
export async function settleLateReceipts(
  trx: Transaction<Database>,
  ordered: readonly { receipt: { receiptId: string }; entitlement: EntitlementForRedemption }[],
  now: Date,
): Promise<void> {
  const late = ordered.filter((each) => each.entitlement.status === 'ended');
  if (late.length === 0) return;
  const kept = await trx
    .selectFrom('offline_receipt')
    .select(['id', 'entitlement_id', 'outcome', 'lines', 'held'])
    .where(
      'id',
      'in',
      late.map((each) => each.receipt.receiptId),
    )
    .execute();
  const order = new Map(late.map((each, index) => [each.receipt.receiptId, index]));
  kept.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  const entitlements = new Map(late.map((each) => [each.entitlement.entitlementId, each]));
  for (const { entitlement } of entitlements.values()) {
    const { state, reason } = initialState(entitlement);
    const touched = kept.some((row) => row.entitlement_id === entitlement.entitlementId);
    // A row this batch created (no point had seen the entitlement) or counted into reads as the
    // entitlement ended; one consumed before, or flagged by a conflict, keeps its state.
    await trx
      .updateTable('entitlement_redemption_state')
      .set({ state, state_reason: reason, updated_at: now })
      .where('entitlement_id', '=', entitlement.entitlementId)
      .where('state', 'in', touched ? [...redeemableStates, 'consumed'] : [...redeemableStates])
      .execute();
    if (entitlement.endedReason === 'cycle_closed' && touched) {
      await withdrawCarryOver(
        trx,
        entitlement,
        kept.filter((row) => row.entitlement_id === entitlement.entitlementId),
        now,
      );
    }
  }
}

/** JSON kept by the sync (text on PGlite). */
const parsed = (value: OfflineLine[] | string | null): OfflineLine[] =>
  // Safe: written by the sync as a JSON list of {item, quantity}.
  value === null ? [] : typeof value === 'string' ? (JSON.parse(value) as OfflineLine[]) : value;

/** What a kept receipt took of an item: its line (counted) or its hold (conflict). */
const tookOf = (receipt: Kept, item: string): number =>
  parsed(receipt.outcome === 'counted' ? receipt.lines : receipt.held).find(
    (line) => line.item === item,
  )?.quantity ?? 0;

/**
 * What the close carried of `entitlement` was its remainder then (at most one basket's worth);
 * the late receipts took from that remainder, so what should have carried is what remains now,
 * capped. The difference is withdrawn, item by item, and recorded per receipt
 * (`carry_over_withdrawal`, in the receipts' order): from the carry-over while it waits
 * (`quantity_withdrawn`); once the person's next entitlement has taken it in, from that
 * entitlement's remaining balance, and what of it was already handed out there is **disputed**
 * — both hand-overs left the shelf and each is counted once; the overlap waits for the
 * supervisor's review. A conflict's hold withdraws as a counted receipt does (its quantity is
 * out of the balance until the review).
 */
async function withdrawCarryOver(
  trx: Transaction<Database>,
  entitlement: EntitlementForRedemption,
  kept: readonly Kept[],
  now: Date,
): Promise<void> {
  const carried = await trx
    .selectFrom('entitlement_carry_over')
    .select(['item', 'unit', 'quantity', 'quantity_withdrawn', 'into_entitlement_id'])
    .where('from_entitlement_id', '=', entitlement.entitlementId)
    .where('lapsed_at', 'is', null)
    .orderBy('item')
    .forUpdate()
    .execute();
  if (carried.length === 0) return;
  const balances = await trx
    .selectFrom('entitlement_item_balance')
    .select(['item', 'quantity_remaining'])
    .where('entitlement_id', '=', entitlement.entitlementId)
    .execute();
  const left = new Map(balances.map((row) => [row.item, row.quantity_remaining]));
  for (const row of carried) {
    const cap = (entitlement.basket ?? []).find((line) => line.item === row.item)?.quantity ?? 0;
    const should = Math.min(left.get(row.item) ?? 0, cap);
    // Never more than these receipts took of the item: each withdrawal is one receipt's.
    const withdrawn = Math.min(
      row.quantity - row.quantity_withdrawn - should,
      kept.reduce((sum, receipt) => sum + tookOf(receipt, row.item), 0),
    );
    if (withdrawn <= 0) continue;
    await trx
      .updateTable('entitlement_carry_over')
      .set({ quantity_withdrawn: row.quantity_withdrawn + withdrawn })
      .where('from_entitlement_id', '=', entitlement.entitlementId)
      .where('item', '=', row.item)
      .execute();
    const takenBack =
      row.into_entitlement_id === null
        ? 0
        : await takeBack(trx, row.into_entitlement_id, row.item, withdrawn);
    await recordWithdrawal(trx, kept, {
      from: entitlement.entitlementId,
      row,
      withdrawn,
      takenBack,
      now,
    });
  }
}

/**
 * Takes up to `quantity` of `item` off the next entitlement's remaining balance (its state row
 * locked first, as a redemption locks it); consumed when nothing of it remains. Resolves to what
 * was taken back: the rest had been handed out already.
 */
async function takeBack(
  trx: Transaction<Database>,
  entitlementId: string,
  item: string,
  quantity: number,
): Promise<number> {
  const state = await trx
    .selectFrom('entitlement_redemption_state')
    .select('state')
    .where('entitlement_id', '=', entitlementId)
    .forUpdate()
    .executeTakeFirst();
  const balance = await trx
    .selectFrom('entitlement_item_balance')
    .select('quantity_remaining')
    .where('entitlement_id', '=', entitlementId)
    .where('item', '=', item)
    .executeTakeFirst();
  const taken = Math.min(quantity, balance?.quantity_remaining ?? 0);
  if (taken === 0) return 0;
  await trx
    .updateTable('entitlement_item_balance')
    .set((eb) => ({ quantity_remaining: eb('quantity_remaining', '-', taken) }))
    .where('entitlement_id', '=', entitlementId)
    .where('item', '=', item)
    .execute();
  if (state !== undefined && redeemableStates.includes(state.state)) {
    await trx
      .updateTable('entitlement_redemption_state')
      .set({ state: 'consumed', updated_at: new Date() })
      .where('entitlement_id', '=', entitlementId)
      .where(
        sql<boolean>`not exists (select 1 from entitlement_item_balance b
          where b.entitlement_id = ${entitlementId} and b.quantity_remaining > 0)`,
      )
      .execute();
  }
  return taken;
}

/**
 * One `carry_over_withdrawal` row per late receipt that took the item, in the receipts' order:
 * each withdraws at most what it took (counted) or holds (conflict); what was taken back is
 * given to the earliest, the disputed rest to the latest.
 */
async function recordWithdrawal(
  trx: Transaction<Database>,
  kept: readonly Kept[],
  props: {
    from: string;
    row: { item: string; unit: string; into_entitlement_id: string | null };
    withdrawn: number;
    takenBack: number;
    now: Date;
  },
): Promise<void> {
  const { row } = props;
  let toWithdraw = props.withdrawn;
  let toTakeBack = props.takenBack;
  const rows: Database['carry_over_withdrawal'][] = [];
  for (const receipt of kept) {
    const quantity = Math.min(tookOf(receipt, row.item), toWithdraw);
    if (quantity <= 0) continue;
    const applied = row.into_entitlement_id !== null;
    const takenBack = applied ? Math.min(quantity, toTakeBack) : 0;
    rows.push({
      receipt_id: receipt.id,
      item: row.item,
      from_entitlement_id: props.from,
      unit: row.unit,
      quantity,
      into_entitlement_id: row.into_entitlement_id,
      taken_back: takenBack,
      disputed: applied ? quantity - takenBack : 0,
      recorded_at: props.now,
    });
    toWithdraw -= quantity;
    toTakeBack -= takenBack;
  }
  if (rows.length > 0) await trx.insertInto('carry_over_withdrawal').values(rows).execute();
}
