import type { Transaction } from 'kysely';
import { limits } from '../../../limits.js';
import type { Database } from '../../../platform/db/schema.js';
import type { AuditEntryInput } from '../../../shared/audit/audit-entry.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import type { PaymentsContext, PaymentsDependencies } from '../payments-context.js';
import { PaymentsError } from '../payments-error.js';
import { auditingRefusals, guardPayout, guardPayoutList } from './payout-gate.js';
import type { BankFileFormat, PayoutStatus } from './payout-tables.js';

/** A return a statement reported, waiting for a second finance officer's confirmation. */
export interface PendingReturn {
  instructionId: string;
  endToEndId: string;
  batchId: string;
  currency: 'VES' | 'USD';
  amountMinor: bigint;
  /** The bank's return reason code (e.g. AC04), if the statement gave one. */
  reason: string | null;
  bookingDate: string | null;
  /**
   * The bank's own reference of the movement (camt `AcctSvcrRef`, MT940 `:61:` after `//`), if
   * the statement gave one: what the confirming officer quotes to the bank to check the return.
   */
  bankReference: string | null;
  fileFormat: BankFileFormat;
  reportedAt: Date;
  /** The reader uploaded the file that reported it: they cannot confirm it. */
  reportedByYou: boolean;
}

/**
 * The payments a statement reported returned that wait for a second finance officer
 * (`payout.read`, audited), oldest first: their money is in suspense, their entitlements still
 * held (status `return_pending`, migration 0131). No creditor and no person.
 *
 * @example
 *   const waiting = await pendingReturns(deps, context);
 */
export async function pendingReturns(
  deps: PaymentsDependencies,
  context: PaymentsContext,
): Promise<PendingReturn[]> {
  const { grant } = await guardPayoutList(deps, context, 'payout_batch');
  const reader = context.actor?.kind === 'operator' ? context.actor.operatorId : null;
  const rows = await deps.db
    .selectFrom('payout_instruction as i')
    .innerJoin('payout_batch as b', 'b.id', 'i.batch_id')
    .innerJoin('payout_suspense as s', (join) =>
      join.onRef('s.instruction_id', '=', 'i.id').on('s.kind', '=', 'returned'),
    )
    .innerJoin('payout_bank_file as f', 'f.id', 's.bank_file_id')
    .select([
      'i.id',
      'i.end_to_end_id',
      'i.batch_id',
      'b.currency',
      's.amount_minor',
      's.reason',
      's.booking_date',
      's.bank_reference',
      'f.format',
      'f.received_at',
      'f.received_by',
    ])
    .where('i.status', '=', 'return_pending')
    .orderBy('f.received_at')
    .orderBy('i.id')
    .limit(limits.payouts.pendingReturnsListMax)
    .execute();
  await grant.record([]);
  return rows.map((row) => ({
    instructionId: row.id,
    endToEndId: row.end_to_end_id,
    batchId: row.batch_id,
    currency: row.currency,
    amountMinor: BigInt(row.amount_minor),
    reason: row.reason,
    bookingDate: row.booking_date,
    bankReference: row.bank_reference,
    fileFormat: row.format,
    reportedAt: row.received_at,
    reportedByYou: reader !== null && row.received_by === reader,
  }));
}

/**
 * A second finance officer confirms a return a statement reported (`payout.return_confirm`):
 * the payment turns `returned` and its entitlement is payable again, and the allowed audit entry
 * is written in the same transaction (no confirmation without its entry, no entry without it).
 * Whoever uploaded the file that reported it is refused first, whatever the payment's state
 * (`AMP_RETURN_SAME_OPERATOR`, audited; the database refuses it too, migration 0131), so one
 * officer's hand-made statement cannot free settled payouts for a second batch, and the audit
 * log never shows the uploader confirming their own return. The officer who confirmed it
 * confirming again answers unchanged; anyone else then, or for a payment with no return waiting,
 * is `AMP_RETURN_NOT_PENDING` (409).
 *
 * @example
 *   await payoutReturnConfirmer(deps, context, instructionId);
 */
export async function payoutReturnConfirmer(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  instructionId: string,
): Promise<{ instructionId: string; status: 'returned' }> {
  const guarded = await guardedReturn(deps, context, 'payout.return_confirm', instructionId);
  const { row, resource, grant, write } = guarded;
  const changed = await auditingRefusals(deps, write, resource, async () => {
    // Before any state: the uploader is refused even once another officer has confirmed.
    const confirmer = secondOfficer(guarded, 'confirm');
    return deps.db.transaction().execute(async (trx) => {
      // Under the payment's lock: of two officers confirming at once, one confirms.
      const status = await lockedStatus(trx, instructionId);
      if (status === 'returned') {
        const earlier = await trx
          .selectFrom('payout_return_confirmation')
          .select('confirmed_by')
          .where('instruction_id', '=', instructionId)
          .executeTakeFirst();
        if (earlier?.confirmed_by === confirmer) return false;
        throw new PaymentsError(
          'AMP_RETURN_NOT_PENDING',
          'This return was already confirmed by another finance officer',
        );
      }
      if (status !== 'return_pending') {
        throw new PaymentsError('AMP_RETURN_NOT_PENDING', `This payment is ${status}`);
      }
      await trx
        .insertInto('payout_return_confirmation')
        .values({
          instruction_id: instructionId,
          suspense_id: row.suspense_id,
          confirmed_by: confirmer,
        })
        .execute();
      await trx
        .updateTable('payout_instruction')
        .set({ status: 'returned', updated_at: deps.now?.() ?? new Date() })
        .where('id', '=', instructionId)
        .execute();
      await deps.audit.appendInTransaction(trx, [
        writeAuditEntry(write, resource, [], context.requestId),
      ]);
      return true;
    });
  });
  // The confirmer's repeat changes nothing; it is audited as what it is, their request again.
  if (!changed) await grant.record([]);
  return { instructionId, status: 'returned' };
}

/**
 * The return a second officer decides (`payout.return_confirm`, or `payout.return_reject` in
 * `return-rejecter.ts`), through the gate: 404 for a payment no statement reported returned.
 * Audited on the payment's batch: the audit log names batches, not single payments.
 */
export async function guardedReturn(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  action: 'payout.return_confirm' | 'payout.return_reject',
  instructionId: string,
) {
  const found = await returnOf(deps, instructionId);
  const resource: AuditEntryInput['resource'] = {
    type: 'payout_batch',
    id: found?.batch_id ?? null,
  };
  const { grant, write } = await guardPayout(deps, context, action, resource, found !== undefined);
  // Safe: the guard answered 404 for a payment with no return.
  const row = found as NonNullable<typeof found>;
  const operatorId = context.actor?.kind === 'operator' ? context.actor.operatorId : null;
  return { row, resource, grant, write, operatorId };
}

/**
 * The deciding officer, who must not be whoever uploaded the statement that reported the
 * return (`AMP_RETURN_SAME_OPERATOR`): checked before any state, so the uploader is refused
 * even once another officer has decided.
 */
export function secondOfficer(
  guarded: { operatorId: string | null; row: { received_by: string | null } },
  verb: 'confirm' | 'reject',
): string {
  if (guarded.operatorId === null || guarded.operatorId === guarded.row.received_by) {
    throw new PaymentsError(
      'AMP_RETURN_SAME_OPERATOR',
      `Whoever uploaded the statement that reported this return cannot ${verb} it: a second finance officer must`,
    );
  }
  return guarded.operatorId;
}

/** The payment's status under its row lock: of two officers deciding at once, one decides. */
export async function lockedStatus(
  trx: Transaction<Database>,
  instructionId: string,
): Promise<PayoutStatus> {
  const { status } = await trx
    .selectFrom('payout_instruction')
    .select('status')
    .where('id', '=', instructionId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return status;
}

/** The payment's return as a statement reported it, with who uploaded that statement. */
function returnOf(deps: PaymentsDependencies, instructionId: string) {
  return deps.db
    .selectFrom('payout_instruction as i')
    .innerJoin('payout_suspense as s', (join) =>
      join.onRef('s.instruction_id', '=', 'i.id').on('s.kind', '=', 'returned'),
    )
    .innerJoin('payout_bank_file as f', 'f.id', 's.bank_file_id')
    .select([
      'i.batch_id',
      'i.status',
      's.id as suspense_id',
      's.currency',
      's.amount_minor',
      's.returned_from',
      'f.received_by',
    ])
    .where('i.id', '=', instructionId)
    .executeTakeFirst();
}
