import { randomUUID } from 'node:crypto';
import type { Insertable, Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import { type EntitlementForRedemption, entitlementForRedemption } from '../../programs/index.js';
import {
  type DistributionContext,
  type DistributionDependencies,
  nowOf,
} from '../distribution-context.js';
import { DistributionError } from '../distribution-error.js';
import { guardPoint, refusalEntry } from '../point-gate.js';
import { operatorIdOf } from '../points/point-service.js';
import { releaseHeldCarryOver } from '../redemption/carry-over.js';
import { initialState } from '../redemption/entitlement-state.js';
import { receiptKeyFrom, signReceipt } from '../redemption/receipt.js';
import { appendMovement, lockBalances } from '../stock/stock-ledger.js';
import type { VoucherState } from '../tables.js';
import type { OfflineLine } from './offline-tables.js';

export type ConflictDecision = 'counted_stands' | 'later_stands';

export interface ConflictResolution {
  receiptId: string;
  decision: ConflictDecision;
  goodsLeft: boolean;
  /** later_stands: the redemption now counted for this receipt, and the ones it reversed. */
  redemptionId: string | null;
  reversedRedemptionIds: string[];
  /**
   * The entitlement's state after it: the one its balances imply (ended if programs ended it);
   * still `conflict_flagged` while a conflict synced before migration 0140 is open on it.
   */
  entitlementState: VoucherState;
}

/**
 * A supervisor clears an offline conflict (issue #15, point 5; `distribution.stock_adjust`,
 * the supervisor's stock action, since the decision may write the stock): the receipt counted
 * first stands and the conflicting one is closed, counted nowhere, once, and what it held
 * (migration 0140) returns to the entitlement. If its goods did leave
 * the point (`goodsLeft`: two devices handed the same basket over), they are written off as a
 * stock loss (`adjustment`, reason `loss`, the receipt named in the note; below zero allowed, as
 * for any hand-over already made). The entitlement then takes the state its remaining
 * quantities imply — unless programs has ended it meanwhile: then it takes the ended state
 * (`cancelled` or `expired`, with the reason) and is never reopened; and while a conflict synced
 * before migration 0140 (which flagged the whole entitlement) is open, it stays
 * `conflict_flagged`. Either decision is still taken on an ended entitlement: it settles
 * hand-overs made before the end. The entitlement's state row is locked first,
 * so a redemption or a sync of it waits; audited on the person (field `offline_conflict`).
 *
 * Or, `later_stands`, in favour of the later receipt: what it held returns to the entitlement,
 * then the redemptions of the entitlement that took
 * it after this receipt's snapshot was made and took an item this receipt now lacks (what it
 * conflicted with; none when it fits what remains) are reversed —
 * their quantities return to the entitlement, a reversal row each, and they leave the
 * reconciliation; their goods stay out of stock when they did leave the point (`goodsLeft`),
 * otherwise they return to stock as a count correction — and this receipt is counted: a
 * redemption with its signed receipt and its stock movement at this point (below zero allowed:
 * the goods were handed over). Refused (`AMP_QUANTITY_ABOVE_REMAINING`) when, even then, its
 * lines no longer fit what remains. Stock and entitlement are each moved exactly once.
 *
 * @example
 *   await offlineConflictResolver(deps, context, pointId, receiptId, { goodsLeft: true });
 */
export async function offlineConflictResolver(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  receiptId: string,
  props: { decision?: ConflictDecision; goodsLeft: boolean; note?: string | undefined },
): Promise<ConflictResolution> {
  const decision = props.decision ?? 'counted_stands';
  const redemptionId = decision === 'later_stands' ? randomUUID() : null;
  const gate = await guardPoint(deps, context, 'distribution.stock_adjust', pointId);
  const operatorId = operatorIdOf(gate.write.actor) as string; // Safe: only operators hold it.
  const now = nowOf(deps);
  const outcome = await deps.db
    .transaction()
    .execute(async (trx) => {
      const receipt = await trx
        .selectFrom('offline_receipt as o')
        .innerJoin('entitlement_redemption_state as s', 's.entitlement_id', 'o.entitlement_id')
        .select([
          'o.id',
          'o.entitlement_id',
          'o.lines',
          'o.snapshot_id',
          'o.credential_id',
          'o.assisted_id',
          'o.held',
          's.person_id',
        ])
        .where('o.id', '=', receiptId)
        .where('o.point_id', '=', gate.point.id)
        .where('o.outcome', '=', 'conflict')
        .forUpdate('s')
        .executeTakeFirst();
      if (receipt === undefined) return { refused: 'AMP_NOT_FOUND' as const, personId: null };
      if (decision === 'later_stands' && receipt.credential_id === null) {
        return {
          refused: 'AMP_OFFLINE_RECEIPT_WITHOUT_CARD' as const,
          personId: receipt.person_id,
        };
      }
      const resolution = {
        receipt_id: receipt.id,
        entitlement_id: receipt.entitlement_id,
        decision,
        goods_left: props.goodsLeft,
        note: props.note ?? null,
        resolved_by: operatorId,
        resolved_at: now,
        redemption_id: redemptionId,
      };
      // The state row is locked: a second decision on this receipt waits here, then finds this one.
      const already = await trx
        .selectFrom('offline_conflict_resolution')
        .select('receipt_id')
        .where('receipt_id', '=', receipt.id)
        .executeTakeFirst();
      if (already !== undefined) {
        return { refused: 'AMP_CONFLICT' as const, personId: receipt.person_id };
      }
      if (decision === 'counted_stands') {
        await trx.insertInto('offline_conflict_resolution').values(resolution).execute();
        await releaseHold(trx, receipt.entitlement_id, heldOf(receipt.held));
      }
      const entitlement = await entitlementForRedemption(trx, receipt.entitlement_id);
      if (entitlement === undefined)
        throw new Error('the entitlement of an offline receipt is gone');
      let reversed: string[] = [];
      if (decision === 'later_stands') {
        const later = await countLaterReceipt(trx, deps, resolution, {
          receipt: { ...receipt, credential_id: receipt.credential_id as Buffer },
          entitlement,
          point: gate.point,
          redemptionId: redemptionId as string,
          goodsLeft: props.goodsLeft,
          operatorId,
          now,
        });
        if (later.refused !== null) {
          // Nothing of it stays: the resolution row and any reversal roll back with this throw.
          throw new LaterReceiptRefused(receipt.person_id, later.refused);
        }
        reversed = later.reversed;
      } else if (props.goodsLeft) {
        // Safe: written by the sync from the validated, signed lines (text on PGlite).
        const lines = (
          typeof receipt.lines === 'string' ? JSON.parse(receipt.lines) : receipt.lines
        ) as OfflineLine[];
        await lockBalances(
          trx,
          lines.map((line) => ({ pointId: gate.point.id, item: line.item })),
        );
        for (const line of lines) {
          await appendMovement(trx, {
            pointId: gate.point.id,
            item: line.item,
            kind: 'adjustment',
            quantityDelta: -line.quantity,
            reason: 'loss',
            note: `offline conflict receipt ${receipt.id}: handed over twice`,
            overrideNegative: true,
            recordedBy: operatorId,
          });
        }
      }
      const state = await stateOnceCleared(trx, entitlement);
      await deps.audit.appendInTransaction(trx, [
        writeAuditEntry(
          gate.write,
          { type: 'person', id: receipt.person_id },
          decision === 'later_stands'
            ? ['offline_conflict', 'redemption_reversal']
            : ['offline_conflict'],
          context.requestId,
        ),
      ]);
      return { refused: null, state, reversed };
    })
    .catch((error: unknown) => {
      if (!(error instanceof LaterReceiptRefused)) throw error;
      return { refused: error.code, personId: error.personId };
    });
  if (outcome.refused !== null) {
    await deps.audit.append(
      refusalEntry(gate.write, { type: 'person', id: outcome.personId }, outcome.refused),
    );
    const detail = refusalDetail[outcome.refused];
    if (outcome.refused === 'AMP_CONFLICT' || outcome.refused === 'AMP_NOT_FOUND') {
      throw new AmparoError(outcome.refused, { detail });
    }
    throw new DistributionError(outcome.refused, detail);
  }
  return {
    receiptId,
    decision,
    goodsLeft: props.goodsLeft,
    redemptionId,
    reversedRedemptionIds: outcome.reversed,
    entitlementState: outcome.state,
  };
}

const refusalDetail = {
  AMP_CONFLICT: 'This conflict was already cleared',
  AMP_NOT_FOUND: 'No offline conflict with this receipt at this point',
  AMP_OFFLINE_RECEIPT_WITHOUT_CARD:
    'This receipt was synced before receipts kept their card: only the counted receipt may stand',
  AMP_QUANTITY_ABOVE_REMAINING:
    'Even with the earlier redemptions reversed, this receipt asks more than remains',
} as const;

/** Thrown inside the transaction to roll it back; answered as a refusal. */
class LaterReceiptRefused extends Error {
  constructor(
    readonly personId: string,
    readonly code: 'AMP_QUANTITY_ABOVE_REMAINING',
  ) {
    super(code);
  }
}

/**
 * later_stands: reverses the redemptions of the entitlement this receipt conflicted with (made
 * after its snapshot, not reversed already, holding an item the receipt now lacks: `takenFirst`)
 * and counts the receipt, in the caller's transaction, the entitlement's state row already locked.
 */
async function countLaterReceipt(
  trx: Transaction<Database>,
  deps: DistributionDependencies,
  resolution: Insertable<Database['offline_conflict_resolution']>,
  props: {
    receipt: {
      id: string;
      entitlement_id: string;
      lines: unknown;
      snapshot_id: string;
      /** Set for a hand-over without the card: the redemption is then `assisted` under it. */
      assisted_id: string | null;
      /** What it holds (migration 0140); null for a conflict synced before. */
      held: unknown;
    };
    entitlement: EntitlementForRedemption;
    point: { id: string; code: string };
    redemptionId: string;
    goodsLeft: boolean;
    operatorId: string;
    now: Date;
  } & { receipt: { credential_id: Buffer } },
): Promise<{ refused: 'AMP_QUANTITY_ABOVE_REMAINING' | null; reversed: string[] }> {
  const { receipt, entitlement, point, operatorId, now } = props;
  const snapshot = await trx
    .selectFrom('distribution_snapshot')
    .select('issued_at')
    .where('id', '=', receipt.snapshot_id)
    .executeTakeFirstOrThrow();
  const afterSnapshot = await trx
    .selectFrom('redemption as r')
    .innerJoin('redemption_line as l', 'l.redemption_id', 'r.id')
    .leftJoin('redemption_reversal as x', 'x.redemption_id', 'r.id')
    .select(['r.id', 'r.point_id', 'l.item', 'l.quantity'])
    .where('r.entitlement_id', '=', receipt.entitlement_id)
    .where('r.redeemed_at', '>', snapshot.issued_at)
    .where('x.redemption_id', 'is', null)
    .orderBy('r.id')
    .execute();
  const balances = await trx
    .selectFrom('entitlement_item_balance')
    .select(['item', 'unit', 'quantity_remaining'])
    .where('entitlement_id', '=', receipt.entitlement_id)
    .orderBy('item')
    .forUpdate()
    .execute();
  const remaining = new Map(balances.map((row) => [row.item, row.quantity_remaining]));
  // What this receipt held is its own again: it takes it first (the rest is what it conflicts with).
  for (const line of heldOf(receipt.held)) {
    remaining.set(line.item, (remaining.get(line.item) ?? 0) + line.quantity);
  }
  // Safe: written by the sync from the validated, signed lines (text on PGlite).
  const lines = (
    typeof receipt.lines === 'string' ? JSON.parse(receipt.lines) : receipt.lines
  ) as OfflineLine[];
  const earlier = takenFirst(afterSnapshot, lines, remaining);
  for (const line of earlier) {
    remaining.set(line.item, (remaining.get(line.item) ?? 0) + line.quantity);
  }
  if (lines.some((line) => line.quantity > (remaining.get(line.item) ?? -1))) {
    return { refused: 'AMP_QUANTITY_ABOVE_REMAINING', reversed: [] };
  }
  for (const line of lines)
    remaining.set(line.item, (remaining.get(line.item) ?? 0) - line.quantity);

  for (const [item, quantity] of remaining) {
    await trx
      .updateTable('entitlement_item_balance')
      .set({ quantity_remaining: quantity })
      .where('entitlement_id', '=', receipt.entitlement_id)
      .where('item', '=', item)
      .execute();
  }

  const unitOf = new Map(balances.map((row) => [row.item, row.unit]));
  const signed = signReceipt(receiptKeyFrom(deps.keys.masterKey), {
    v: 1,
    receiptId: props.redemptionId,
    pointCode: point.code,
    programCode: entitlement.programCode,
    entitlementId: entitlement.entitlementId,
    mode: receipt.assisted_id === null ? 'card' : 'assisted',
    redeemedAt: now.toISOString(),
    lines: lines.map((line) => ({
      item: line.item,
      unit: unitOf.get(line.item) ?? '',
      quantity: line.quantity,
      remainingAfter: remaining.get(line.item) ?? 0,
    })),
  });
  await trx
    .insertInto('redemption')
    .values({
      id: props.redemptionId,
      entitlement_id: entitlement.entitlementId,
      person_id: entitlement.personId,
      program_id: entitlement.programId,
      cycle_id: entitlement.cycleId,
      point_id: point.id,
      operator_id: operatorId,
      ...(receipt.assisted_id === null
        ? { mode: 'card' as const, credential_id: receipt.credential_id, assisted_id: null }
        : { mode: 'assisted' as const, credential_id: null, assisted_id: receipt.assisted_id }),
      redeemed_at: now,
      receipt_signature: signed.signature,
    })
    .execute();
  await trx
    .insertInto('redemption_line')
    .values(
      signed.receipt.lines.map((line) => ({
        redemption_id: props.redemptionId,
        item: line.item,
        unit: line.unit,
        quantity: line.quantity,
        remaining_after: line.remainingAfter,
      })),
    )
    .execute();

  // The resolution names the redemption just written; the reversals name the resolution.
  await trx.insertInto('offline_conflict_resolution').values(resolution).execute();
  const reversed = [...new Set(earlier.map((line) => line.id))];
  if (reversed.length > 0) {
    await trx
      .insertInto('redemption_reversal')
      .values(
        reversed.map((id) => ({
          redemption_id: id,
          receipt_id: receipt.id,
          goods_returned: !props.goodsLeft,
          reversed_by: operatorId,
          reversed_at: now,
        })),
      )
      .execute();
  }
  // Stock: this receipt's goods left this point; a reversed hand-over's goods come back only
  // when they did not leave its point. Balance rows locked in (point, item) order.
  const returned = props.goodsLeft ? [] : earlier;
  await lockBalances(trx, [
    ...lines.map((line) => ({ pointId: point.id, item: line.item })),
    ...returned.map((line) => ({ pointId: line.point_id, item: line.item })),
  ]);
  for (const line of lines) {
    await appendMovement(trx, {
      pointId: point.id,
      item: line.item,
      kind: 'redemption',
      quantityDelta: -line.quantity,
      overrideNegative: true,
      redemptionId: props.redemptionId,
      recordedBy: operatorId,
    });
  }
  for (const line of returned) {
    await appendMovement(trx, {
      pointId: line.point_id,
      item: line.item,
      kind: 'adjustment',
      quantityDelta: line.quantity,
      reason: 'count_correction',
      note: `redemption ${line.id} reversed (offline conflict receipt ${receipt.id}): not handed over`,
      recordedBy: operatorId,
    });
  }
  return { refused: null, reversed };
}

/** A conflict's hold as the sync wrote it; none for a conflict synced before migration 0140. */
function heldOf(held: unknown): OfflineLine[] {
  if (held === null || held === undefined) return [];
  // Safe: written by the sync as a JSON list of {item, quantity} (text on PGlite).
  return (typeof held === 'string' ? JSON.parse(held) : held) as OfflineLine[];
}

/** counted_stands: what the conflict held returns to the entitlement's balance. */
async function releaseHold(
  trx: Transaction<Database>,
  entitlementId: string,
  held: readonly OfflineLine[],
): Promise<void> {
  for (const line of held) {
    await trx
      .updateTable('entitlement_item_balance')
      .set((eb) => ({ quantity_remaining: eb('quantity_remaining', '+', line.quantity) }))
      .where('entitlement_id', '=', entitlementId)
      .where('item', '=', line.item)
      .execute();
  }
}

/**
 * The redemptions this receipt conflicted with, whole (every line of each): those made after its
 * snapshot that took an item of which less remains now than the receipt hands over. None when the
 * receipt fits what remains — it was kept as a conflict only because another conflict had the
 * entitlement flagged — so a hand-over it never competed with is not reversed.
 */
function takenFirst<Line extends { id: string; item: string; quantity: number }>(
  afterSnapshot: readonly Line[],
  lines: readonly OfflineLine[],
  remaining: ReadonlyMap<string, number>,
): Line[] {
  const short = new Set(
    lines
      .filter((line) => line.quantity > (remaining.get(line.item) ?? 0))
      .map((line) => line.item),
  );
  const competing = new Set(
    afterSnapshot.filter((line) => short.has(line.item)).map((line) => line.id),
  );
  return afterSnapshot.filter((line) => competing.has(line.id));
}

/**
 * The entitlement's state once this conflict is cleared, written to its row: flagged while a
 * conflict synced before migration 0140 (which flagged it whole) is open; then the ended state
 * if programs ended it (clearing must not reopen it), otherwise the state its remaining
 * quantities imply. What a cycle's close held back waits for the last open conflict.
 */
async function stateOnceCleared(
  trx: Transaction<Database>,
  entitlement: EntitlementForRedemption,
): Promise<VoucherState> {
  const { entitlementId } = entitlement;
  const open = await trx
    .selectFrom('offline_receipt as o')
    .leftJoin('offline_conflict_resolution as c', 'c.receipt_id', 'o.id')
    .select(['o.id', 'o.held'])
    .where('o.entitlement_id', '=', entitlementId)
    .where('o.outcome', '=', 'conflict')
    .where('c.receipt_id', 'is', null)
    .execute();
  if (open.some((row) => row.held === null)) return 'conflict_flagged';
  // What a cycle's close held while the conflicts waited now carries over: the review is done.
  if (open.length === 0) await releaseHeldCarryOver(trx, entitlementId, new Date());
  if (entitlement.status === 'ended') {
    const ended = initialState(entitlement);
    await trx
      .updateTable('entitlement_redemption_state')
      .set({ state: ended.state, state_reason: ended.reason, updated_at: new Date() })
      .where('entitlement_id', '=', entitlementId)
      .execute();
    return ended.state;
  }
  const items = await trx
    .selectFrom('entitlement_item_balance')
    .select(['quantity_granted', 'quantity_remaining'])
    .where('entitlement_id', '=', entitlementId)
    .execute();
  const state: VoucherState = items.every((item) => item.quantity_remaining === 0)
    ? 'consumed'
    : items.every((item) => item.quantity_remaining === item.quantity_granted)
      ? 'activated'
      : 'partially_consumed';
  await trx
    .updateTable('entitlement_redemption_state')
    .set({ state, state_reason: null, updated_at: new Date() })
    .where('entitlement_id', '=', entitlementId)
    .execute();
  return state;
}
