import { AmparoError } from '../../../platform/errors.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import type { PaymentsContext } from '../payments-context.js';
import {
  type PreparationDependencies,
  preparationFinished,
  preparationHolder,
  preparationLeaseMsOf,
  preparationTaken,
} from './batch-preparation.js';
import { batchSummary, type PayoutBatchSummary } from './batch-reader.js';
import { auditingRefusals, guardBatch } from './payout-gate.js';

/**
 * Resumes a payout batch left `preparing` (`payout.manage`): the run that made it died between
 * writing it and finishing its reservations and file. Once no run holds its preparation lease
 * (the dead run's expired, `limits.payouts.preparationLeaseMs`), this run takes it — audited on
 * the batch — and reserves what is not yet reserved (each reservation's id derives from its
 * payment, so those written before the crash are answered `replayed`, never made twice), writes
 * and checks the file, and makes the batch `ready`. A batch already ready answers as it is
 * (nothing to resume); a cancelled one, or one whose preparation another run holds, is refused
 * 409 `AMP_CONFLICT` (audited), nothing changed. The same request sent again with the batch's
 * `clientId` resumes it too (`batch-creator.ts`).
 *
 * @example
 *   const summary = await payoutBatchResumer(deps, context, batchId);
 */
export async function payoutBatchResumer(
  deps: PreparationDependencies,
  context: PaymentsContext,
  batchId: string,
): Promise<PayoutBatchSummary> {
  const { write, resource } = await guardBatch(deps, context, 'payout.manage', batchId);
  return auditingRefusals(deps, write, resource, async () => {
    const before = await batchSummary(deps.db, batchId);
    if (before.status === 'ready') return before;
    if (before.status === 'cancelled') {
      throw new AmparoError('AMP_CONFLICT', {
        detail: 'The batch was cancelled: it is not resumed; a new batch pays its entitlements',
      });
    }
    const holder = preparationHolder();
    if (!(await preparationTaken(deps.db, batchId, holder, preparationLeaseMsOf(deps)))) {
      throw new AmparoError('AMP_CONFLICT', {
        detail:
          'The batch is being prepared by another run (or just finished): read it again, and resume it if it stays preparing',
      });
    }
    await deps.audit.append(writeAuditEntry(write, resource, [], context.requestId));
    await preparationFinished(deps, batchId, holder);
    return batchSummary(deps.db, batchId);
  });
}
