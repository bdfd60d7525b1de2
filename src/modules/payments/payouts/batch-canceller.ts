import { sql } from 'kysely';
import { AmparoError } from '../../../platform/errors.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import type { PaymentsContext } from '../payments-context.js';
import { batchSummary, type PayoutBatchSummary } from './batch-reader.js';
import { auditingRefusals, guardBatch, type PayoutDependencies } from './payout-gate.js';
import { voidReservations } from './payout-lifecycle.js';

/**
 * Cancels a payout batch whose file has not left Amparo (`payout.manage`): typically one whose
 * creation was interrupted (still `preparing`, some payments reserved and some not) that the
 * finance officer would rather make again than resume. In one transaction, under the batch's
 * lock — the lock its reservations and its download take — every reservation still pending is
 * voided in the ledger (the id the bank's rejection would use, so it resolves at most once),
 * every pending payment turns `cancelled` (which releases its entitlement's claim: a new batch
 * or a disbursement into wallets may pay it, once) and the batch `cancelled`. A creation still
 * running reserves nothing more after it and leaves the batch cancelled. Cancelling again
 * answers the cancelled batch. Refused (409, nothing changed) once the file was downloaded —
 * the bank may execute it; its answers settle it — or if the ledger finds a payment posted.
 *
 * @example
 *   const summary = await payoutBatchCanceller(deps, context, batchId);
 */
export async function payoutBatchCanceller(
  deps: PayoutDependencies,
  context: PaymentsContext,
  batchId: string,
): Promise<PayoutBatchSummary> {
  const { write, resource } = await guardBatch(deps, context, 'payout.manage', batchId);
  const operatorId = context.actor?.kind === 'operator' ? context.actor.operatorId : null;
  await auditingRefusals(deps, write, resource, () =>
    deps.db.transaction().execute(async (trx) => {
      const batch = await trx
        .selectFrom('payout_batch')
        .select(['id', 'currency', 'status', 'sent_at'])
        .where('id', '=', batchId)
        .forUpdate()
        .executeTakeFirstOrThrow();
      if (batch.status === 'cancelled') return;
      if (batch.sent_at !== null) {
        throw new AmparoError('AMP_CONFLICT', {
          detail:
            "The batch's file was sent to the bank, which may pay it: it cannot be cancelled; the bank's answers settle or void each payment",
        });
      }
      const pending = await trx
        .selectFrom('payout_instruction')
        .select(['id', 'batch_id'])
        .where('batch_id', '=', batchId)
        .where('status', '=', 'pending')
        .execute();
      const posted = await voidReservations(trx, pending, new Map([[batch.id, batch]]));
      if (posted.size > 0) {
        throw new AmparoError('AMP_CONFLICT', {
          detail: `The ledger holds ${posted.size} payment(s) of this batch as paid: reconcile them from the bank's files`,
        });
      }
      const now = new Date();
      if (pending.length > 0) {
        await trx
          .updateTable('payout_instruction')
          .set({ status: 'cancelled', status_reason: 'batch_cancelled', updated_at: now })
          .where('id', '=', sql<string>`any(${pending.map((row) => row.id)}::uuid[])`)
          .where('status', '=', 'pending')
          .execute();
      }
      await trx
        .updateTable('payout_batch')
        .set({
          status: 'cancelled',
          file_sha256: null,
          cancelled_at: now,
          cancelled_by: operatorId,
        })
        .where('id', '=', batchId)
        .execute();
      await deps.audit.appendInTransaction(trx, [
        writeAuditEntry(write, resource, [], context.requestId),
      ]);
    }),
  );
  return batchSummary(deps.db, batchId);
}
