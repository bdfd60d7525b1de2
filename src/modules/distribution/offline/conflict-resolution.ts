import type { Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import {
  type DistributionContext,
  type DistributionDependencies,
  nowOf,
} from '../distribution-context.js';
import { guardPoint, refusalEntry } from '../point-gate.js';
import { operatorIdOf } from '../points/point-service.js';
import { appendMovement, lockBalances } from '../stock/stock-ledger.js';
import type { VoucherState } from '../tables.js';
import type { OfflineLine } from './offline-tables.js';

export interface ConflictResolution {
  receiptId: string;
  decision: 'counted_stands';
  goodsLeft: boolean;
  /** The entitlement's state after it: still `conflict_flagged` while another conflict is open. */
  entitlementState: VoucherState;
}

/**
 * A supervisor clears an offline conflict (issue #15, point 5; `distribution.stock_adjust`,
 * the supervisor's stock action, since the decision may write the stock): the receipt counted
 * first stands and the conflicting one is closed, counted nowhere, once. If its goods did leave
 * the point (`goodsLeft`: two devices handed the same basket over), they are written off as a
 * stock loss (`adjustment`, reason `loss`, the receipt named in the note; below zero allowed, as
 * for any hand-over already made). When no other conflict of the entitlement is open, it takes
 * again the state its remaining quantities imply. The entitlement's state row is locked first,
 * so a redemption or a sync of it waits; audited on the person (field `offline_conflict`).
 *
 * @example
 *   await offlineConflictResolver(deps, context, pointId, receiptId, { goodsLeft: true });
 */
export async function offlineConflictResolver(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  receiptId: string,
  props: { goodsLeft: boolean; note?: string | undefined },
): Promise<ConflictResolution> {
  const gate = await guardPoint(deps, context, 'distribution.stock_adjust', pointId);
  const operatorId = operatorIdOf(gate.write.actor) as string; // Safe: only operators hold it.
  const now = nowOf(deps);
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const receipt = await trx
      .selectFrom('offline_receipt as o')
      .innerJoin('entitlement_redemption_state as s', 's.entitlement_id', 'o.entitlement_id')
      .select(['o.id', 'o.entitlement_id', 'o.lines', 's.person_id'])
      .where('o.id', '=', receiptId)
      .where('o.point_id', '=', gate.point.id)
      .where('o.outcome', '=', 'conflict')
      .forUpdate('s')
      .executeTakeFirst();
    if (receipt === undefined) return { refused: 'AMP_NOT_FOUND' as const, personId: null };
    const written = await trx
      .insertInto('offline_conflict_resolution')
      .values({
        receipt_id: receipt.id,
        entitlement_id: receipt.entitlement_id,
        decision: 'counted_stands',
        goods_left: props.goodsLeft,
        note: props.note ?? null,
        resolved_by: operatorId,
        resolved_at: now,
      })
      .onConflict((conflict) => conflict.column('receipt_id').doNothing())
      .executeTakeFirst();
    if (written.numInsertedOrUpdatedRows !== 1n) {
      return { refused: 'AMP_CONFLICT' as const, personId: receipt.person_id };
    }
    if (props.goodsLeft) {
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
    const state = await stateOnceCleared(trx, receipt.entitlement_id);
    await deps.audit.appendInTransaction(trx, [
      writeAuditEntry(
        gate.write,
        { type: 'person', id: receipt.person_id },
        ['offline_conflict'],
        context.requestId,
      ),
    ]);
    return { refused: null, state };
  });
  if (outcome.refused !== null) {
    await deps.audit.append(
      refusalEntry(gate.write, { type: 'person', id: outcome.personId }, outcome.refused),
    );
    throw new AmparoError(outcome.refused, {
      detail:
        outcome.refused === 'AMP_CONFLICT'
          ? 'This conflict was already cleared'
          : 'No offline conflict with this receipt at this point',
    });
  }
  return {
    receiptId,
    decision: 'counted_stands',
    goodsLeft: props.goodsLeft,
    entitlementState: outcome.state,
  };
}

/** The entitlement's state once this conflict is cleared: flagged while another is open. */
async function stateOnceCleared(
  trx: Transaction<Database>,
  entitlementId: string,
): Promise<VoucherState> {
  const open = await trx
    .selectFrom('offline_receipt as o')
    .leftJoin('offline_conflict_resolution as c', 'c.receipt_id', 'o.id')
    .select('o.id')
    .where('o.entitlement_id', '=', entitlementId)
    .where('o.outcome', '=', 'conflict')
    .where('c.receipt_id', 'is', null)
    .executeTakeFirst();
  if (open !== undefined) return 'conflict_flagged';
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
