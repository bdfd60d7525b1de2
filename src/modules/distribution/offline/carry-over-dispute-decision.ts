import type { Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import type {
  CarryOverDisputeDecision,
  CarryOverDisputeDecisionInput,
} from '../../../shared/api/distribution-offline.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import {
  type DistributionContext,
  type DistributionDependencies,
  nowOf,
} from '../distribution-context.js';
import { DistributionError, type DistributionErrorCode } from '../distribution-error.js';
import { guardPoint, type PointGrant, refusalEntry } from '../point-gate.js';
import { operatorIdOf } from '../points/point-service.js';
import { handOverInDispute, refuseOwnHandOvers } from '../reconciliation/own-hand-overs.js';
import { appendMovement, lockBalances } from '../stock/stock-ledger.js';

type Refusal = Extract<
  DistributionErrorCode,
  'AMP_DISPUTE_DECIDED' | 'AMP_DISPUTE_OVER_RETURNED'
> | null;

/**
 * The distribution supervisor decides a carry-over dispute once (`distribution.dispute_decide`,
 * migration 0155): a late offline receipt's carried quantity that had been handed out already
 * from the person's next entitlement (`disputed`, migration 0154). Both hand-overs left the shelf
 * and each is counted once, so the stock is exact: the decision only says what the overlap is
 * on record as. `written_off`: a loss of the program, nothing asked of the person. `returned`:
 * the person chose to bring `quantityReturned` (at most the disputed units) back, which goes back
 * on the point's shelf as a count correction naming the receipt; the rest is written off.
 * Amparo never takes anything back from the person: no entitlement is touched. Audited on the
 * person (field `carry_over_dispute`); a second decision is refused (`AMP_DISPUTE_DECIDED`,
 * 409, audited): the next entitlement's state row is locked, so two decisions queue and the
 * later one finds the first. A supervisor with a hand-over in the dispute — at the point in the
 * late receipt's cycle (the receipt itself included), or from the next entitlement — is refused
 * (`AMP_DISPUTE_OWN_HAND_OVER`, 403, audited on the point): separation of duties.
 *
 * @example
 *   await carryOverDisputeDecider(deps, context, pointId, receiptId,
 *     { item: 'rice_kg', outcome: 'written_off', reason: 'Handed out twice offline' });
 */
export async function carryOverDisputeDecider(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  receiptId: string,
  input: CarryOverDisputeDecisionInput,
): Promise<CarryOverDisputeDecision> {
  const gate = await guardPoint(deps, context, 'distribution.dispute_decide', pointId);
  if ((input.outcome === 'returned') !== (input.quantityReturned !== undefined)) {
    throw new AmparoError('AMP_VALIDATION', {
      errors: [
        {
          field: '/quantityReturned',
          reason: 'required with returned, and only with returned',
        },
      ],
    });
  }
  const decidedBy = operatorIdOf(gate.write.actor) as string; // Safe: only operators hold it.
  await refuseOwnHandOvers(
    deps,
    gate,
    await handOverInDispute(deps.db, receiptId, input.item, decidedBy),
    'AMP_DISPUTE_OWN_HAND_OVER',
  );
  const decidedAt = nowOf(deps);
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const dispute = await lockedDispute(trx, gate, receiptId, input.item);
    if (dispute === undefined) return { refused: 'AMP_NOT_FOUND' as const, personId: null };
    const refused = await refusalOf(trx, dispute, receiptId, input);
    if (refused !== null) return { refused, personId: dispute.person_id };
    const returned = input.quantityReturned ?? 0;
    const row = {
      receipt_id: receiptId,
      item: input.item,
      point_id: gate.point.id,
      outcome: input.outcome,
      quantity_returned: returned,
      quantity_written_off: dispute.disputed - returned,
      reason: input.reason,
      decided_by: decidedBy,
      decided_at: decidedAt,
    };
    await trx.insertInto('carry_over_dispute_decision').values(row).execute();
    if (returned > 0) {
      await lockBalances(trx, [{ pointId: gate.point.id, item: input.item }]);
      await appendMovement(trx, {
        pointId: gate.point.id,
        item: input.item,
        kind: 'adjustment',
        quantityDelta: returned,
        reason: 'count_correction',
        note: `carry-over dispute of receipt ${receiptId}: brought back by the person`,
        recordedBy: decidedBy,
      });
    }
    await deps.audit.appendInTransaction(trx, [
      writeAuditEntry(
        gate.write,
        { type: 'person', id: dispute.person_id },
        ['carry_over_dispute'],
        context.requestId,
      ),
    ]);
    return { refused: null, row };
  });
  if (outcome.refused !== null) {
    await deps.audit.append(
      refusalEntry(
        gate.write,
        outcome.personId === null
          ? { type: 'distribution_point', id: gate.point.id }
          : { type: 'person', id: outcome.personId },
        outcome.refused,
      ),
    );
    if (outcome.refused === 'AMP_NOT_FOUND') {
      throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such carry-over dispute here' });
    }
    throw new DistributionError(outcome.refused, refusalDetail[outcome.refused]);
  }
  return decisionAnswerOf(outcome.row);
}

const refusalDetail: Record<NonNullable<Refusal>, string> = {
  AMP_DISPUTE_DECIDED: 'This carry-over dispute was already decided',
  AMP_DISPUTE_OVER_RETURNED: 'More cannot be brought back than was handed out twice',
};

/** The dispute at this point, its next entitlement's state row locked; undefined if none. */
async function lockedDispute(
  trx: Transaction<Database>,
  gate: PointGrant,
  receiptId: string,
  item: string,
): Promise<{ disputed: number; person_id: string } | undefined> {
  return trx
    .selectFrom('carry_over_withdrawal as w')
    .innerJoin('offline_receipt as o', 'o.id', 'w.receipt_id')
    .innerJoin('entitlement_redemption_state as s', 's.entitlement_id', 'w.into_entitlement_id')
    .select(['w.disputed', 's.person_id'])
    .where('w.receipt_id', '=', receiptId)
    .where('w.item', '=', item)
    .where('w.disputed', '>', 0)
    .where('o.point_id', '=', gate.point.id)
    .forUpdate('s')
    .executeTakeFirst();
}

/** A decision already made (decided once), or more brought back than was disputed. */
async function refusalOf(
  trx: Transaction<Database>,
  dispute: { disputed: number },
  receiptId: string,
  input: CarryOverDisputeDecisionInput,
): Promise<Refusal> {
  const already = await trx
    .selectFrom('carry_over_dispute_decision')
    .select('receipt_id')
    .where('receipt_id', '=', receiptId)
    .where('item', '=', input.item)
    .executeTakeFirst();
  if (already !== undefined) return 'AMP_DISPUTE_DECIDED';
  if ((input.quantityReturned ?? 0) > dispute.disputed) return 'AMP_DISPUTE_OVER_RETURNED';
  return null;
}

/** A decision row as the API answers it. */
export function decisionAnswerOf(row: {
  outcome: CarryOverDisputeDecision['outcome'];
  quantity_returned: number;
  quantity_written_off: number;
  reason: string;
  decided_by: string;
  decided_at: Date;
}): CarryOverDisputeDecision {
  return {
    outcome: row.outcome,
    quantityReturned: row.quantity_returned,
    quantityWrittenOff: row.quantity_written_off,
    reason: row.reason,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at.toISOString(),
  };
}
