import assert from 'node:assert/strict';
import type { Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import { transferCreatorInTransaction, transferFlags } from '../../ledger/index.js';
import { settlementAccountId } from '../accounts/account-ids.js';
import type { PaymentsContext, PaymentsDependencies } from '../payments-context.js';
import { PaymentsError } from '../payments-error.js';
import { auditingRefusals } from './payout-gate.js';
import { payoutReturnReversalId, suspenseAccountId } from './payout-ids.js';
import type { ReturnedFrom } from './payout-tables.js';
import { guardedReturn, lockedStatus, secondOfficer } from './return-confirmer.js';

type ReportedReturn = Awaited<ReturnType<typeof guardedReturn>>['row'];

/**
 * A second finance officer rejects a return a statement reported (`payout.return_reject`,
 * migration 0135): the bank did not give the payment back — a hand-made statement, or a
 * misread one. In one transaction, under the payment's row lock: the rejection row with its
 * reason, the payment back to the status it had when the statement reported the return
 * (`settled`, or `accepted` if the statement's credit had come before its debit; `settled` for
 * returns recorded before 0135), a new ledger transfer moving the return's money back out of
 * suspense (suspense → settlement, its id derived from the payment; the return's own transfer is
 * kept), and the allowed audit entry. The entitlement stays paid. Whoever uploaded the file that
 * reported the return is refused first, whatever the state (`AMP_RETURN_SAME_OPERATOR`, audited;
 * the database refuses it too). The officer who rejected it rejecting again answers unchanged;
 * anyone else then, or a payment no longer waiting, is `AMP_RETURN_NOT_PENDING` (409).
 *
 * @example
 *   await payoutReturnRejecter(deps, context, instructionId, 'The bank does not know BNK-1');
 */
export async function payoutReturnRejecter(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  instructionId: string,
  reason: string,
): Promise<{ instructionId: string; status: ReturnedFrom }> {
  const guarded = await guardedReturn(deps, context, 'payout.return_reject', instructionId);
  const { row, resource, grant, write } = guarded;
  const outcome = await auditingRefusals(deps, write, resource, async () => {
    const rejecter = secondOfficer(guarded, 'reject');
    return deps.db.transaction().execute(async (trx) => {
      const earlier = await earlierDecision(trx, instructionId);
      if (earlier.rejection !== undefined) {
        if (earlier.rejection.rejected_by === rejecter)
          return { changed: false, status: earlier.rejection.restored_status };
        throw new PaymentsError(
          'AMP_RETURN_NOT_PENDING',
          'This return was already rejected by another finance officer',
        );
      }
      if (earlier.status !== 'return_pending')
        throw new PaymentsError('AMP_RETURN_NOT_PENDING', `This payment is ${earlier.status}`);
      const restored: ReturnedFrom = row.returned_from ?? 'settled';
      await rejectInTransaction(trx, deps, { instructionId, row, rejecter, reason, restored });
      await deps.audit.appendInTransaction(trx, [
        writeAuditEntry(write, resource, [], context.requestId),
      ]);
      return { changed: true, status: restored };
    });
  });
  // The rejecter's repeat changes nothing; it is audited as what it is, their request again.
  if (!outcome.changed) await grant.record([]);
  return { instructionId, status: outcome.status };
}

/** The payment's status, locked (of two officers deciding at once, one decides), and any rejection. */
async function earlierDecision(trx: Transaction<Database>, instructionId: string) {
  const status = await lockedStatus(trx, instructionId);
  const rejection = await trx
    .selectFrom('payout_return_rejection')
    .select(['rejected_by', 'restored_status'])
    .where('instruction_id', '=', instructionId)
    .executeTakeFirst();
  return { status, rejection };
}

/** The rejection row, the payment's restored status and the transfer out of suspense. */
async function rejectInTransaction(
  trx: Transaction<Database>,
  deps: PaymentsDependencies,
  props: {
    instructionId: string;
    row: ReportedReturn;
    rejecter: string;
    reason: string;
    restored: ReturnedFrom;
  },
): Promise<void> {
  const reversalId = payoutReturnReversalId(props.instructionId);
  await trx
    .insertInto('payout_return_rejection')
    .values({
      instruction_id: props.instructionId,
      suspense_id: props.row.suspense_id,
      rejected_by: props.rejecter,
      reason: props.reason,
      restored_status: props.restored,
      reversal_transfer_id: reversalId,
    })
    .execute();
  await trx
    .updateTable('payout_instruction')
    .set({ status: props.restored, status_reason: null, updated_at: deps.now?.() ?? new Date() })
    .where('id', '=', props.instructionId)
    .execute();
  const [reversal] = await transferCreatorInTransaction(trx, [
    {
      id: reversalId,
      debitAccountId: suspenseAccountId(props.row.currency),
      creditAccountId: settlementAccountId(props.row.currency),
      amountMinor: BigInt(props.row.amount_minor),
      flags: transferFlags.none,
      currency: props.row.currency,
      reason: 'return',
      referenceKind: 'payout',
      referenceId: props.instructionId,
    },
  ]);
  // Suspense and settlement take any balance (no flags), and the id is this payment's alone.
  assert.equal(reversal?.result, 'ok', "a rejected return's money leaves suspense");
}
