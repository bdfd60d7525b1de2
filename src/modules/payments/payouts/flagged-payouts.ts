import { limits } from '../../../limits.js';
import type { PaymentsContext, PaymentsDependencies } from '../payments-context.js';
import { guardPayoutList } from './payout-gate.js';
import type { PayoutStatus } from './payout-tables.js';

/** A sent payment whose person died, was merged away or erased, as the finance officer sees it. */
export interface FlaggedPayout {
  instructionId: string;
  endToEndId: string;
  batchId: string;
  messageId: string;
  currency: 'VES' | 'USD';
  amountMinor: bigint;
  /** Its status now: the bank's answers keep moving it (accepted, settled, rejected, returned). */
  status: PayoutStatus;
  reason: 'death' | 'merge' | 'erasure';
  statusWhenFlagged: string;
  flaggedAt: Date;
}

/**
 * The payments already sent to the bank whose person then died, was merged away or was erased
 * (`payout-lifecycle.ts`), newest first (`payout.read`, audited): the bank may still execute
 * them, so they are reconciled from its answers, not voided. No creditor and no person: the
 * end-to-end id and the file's message id are what the bank's answers carry.
 *
 * @example
 *   const flagged = await flaggedPayouts(deps, context);
 */
export async function flaggedPayouts(
  deps: PaymentsDependencies,
  context: PaymentsContext,
): Promise<FlaggedPayout[]> {
  const { grant } = await guardPayoutList(deps, context, 'payout_batch');
  const rows = await deps.db
    .selectFrom('payout_flag as f')
    .innerJoin('payout_instruction as i', 'i.id', 'f.instruction_id')
    .innerJoin('payout_batch as b', 'b.id', 'i.batch_id')
    .select([
      'f.instruction_id',
      'i.end_to_end_id',
      'b.id as batch_id',
      'b.message_id',
      'b.currency',
      'i.amount_minor',
      'i.status',
      'f.reason',
      'f.status_when_flagged',
      'f.flagged_at',
    ])
    .orderBy('f.flagged_at', 'desc')
    .orderBy('f.instruction_id')
    .limit(limits.payouts.flaggedListMax)
    .execute();
  await grant.record([]);
  return rows.map((row) => ({
    instructionId: row.instruction_id,
    endToEndId: row.end_to_end_id,
    batchId: row.batch_id,
    messageId: row.message_id,
    currency: row.currency,
    amountMinor: BigInt(row.amount_minor),
    status: row.status,
    reason: row.reason,
    statusWhenFlagged: row.status_when_flagged,
    flaggedAt: row.flagged_at,
  }));
}
