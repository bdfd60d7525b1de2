import { createHash, randomUUID } from 'node:crypto';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import {
  type LedgerCurrency,
  ledgerLimits,
  type TransferInput,
  type TransferOutcome,
  transferCreator,
  transferFlags,
  zeroId,
} from '../../ledger/index.js';
import { settlementAccountId } from '../accounts/account-ids.js';
import type { PaymentsContext, PaymentsDependencies } from '../payments-context.js';
import {
  type BankFilePlan,
  type PlannedInstruction,
  planStatements,
  planStatusReport,
} from './bank-file-plan.js';
import { ensurePayoutAccounts } from './batch-preparation.js';
import { BankFileError } from './iso20022/bank-file-error.js';
import type { BankStatement } from './iso20022/bank-statement.js';
import { readCamt } from './iso20022/camt-reader.js';
import { readMt940 } from './iso20022/mt940-reader.js';
import { readPain002 } from './iso20022/pain002-reader.js';
import { validateIso20022 } from './iso20022/xsd-validator.js';
import { auditingRefusals, guardPayout } from './payout-gate.js';
import {
  payoutPendingId,
  payoutPostId,
  payoutReturnId,
  payoutVoidId,
  suspenseAccountId,
  unmatchedMovementId,
} from './payout-ids.js';
import type { BankFileFormat, BankFileSummary } from './payout-tables.js';

export interface BankFileUpload {
  format: BankFileFormat;
  content: string;
}

export interface BankFileOutcome {
  id: string;
  format: BankFileFormat;
  messageId: string;
  /** True when this very file (same SHA-256) was applied before: nothing changed now. */
  replayed: boolean;
  summary: BankFileSummary;
}

/** A read file, the batch context it belongs to, and its plan. */
interface ReadFile {
  messageId: string;
  currency: LedgerCurrency;
  plan: BankFilePlan;
}

/**
 * Applies a file the bank sent (issue #16, point 4): a pain.002 posts or voids each payment's
 * pending transfer; a camt.053, camt.054 or MT940 statement settles payments, returns them to
 * suspense, and moves money that matches no payout to or from suspense. The file is read and
 * planned whole before anything is written, so a malformed one (`AMP_BANK_FILE_*`) posts
 * nothing. Every transfer id derives from the payout (or from the bank's reference of an
 * unmatched movement), so the same file again, or another file reporting the same movement,
 * moves no money twice; the same bytes again answer the first summary, `replayed`.
 */
export async function bankFileApplier(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  upload: BankFileUpload,
): Promise<BankFileOutcome> {
  const resource = { type: 'bank_file' as const, id: null };
  const { write } = await guardPayout(deps, context, 'payout.reconcile', resource, true);
  return auditingRefusals(deps, write, resource, async () => {
    const sha256 = createHash('sha256').update(upload.content).digest('hex');
    const known = await deps.db
      .selectFrom('payout_bank_file')
      .selectAll()
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    if (known?.status === 'applied' && known.summary !== null) {
      return {
        id: known.id,
        format: known.format,
        messageId: known.message_id,
        replayed: true,
        summary: known.summary,
      };
    }
    const read = await readAndPlan(deps, upload);
    const fileId = known?.id ?? randomUUID();
    if (known === undefined) {
      await deps.db
        .insertInto('payout_bank_file')
        .values({
          id: fileId,
          sha256,
          format: upload.format,
          message_id: read.messageId,
          received_by: context.actor?.kind === 'operator' ? context.actor.operatorId : null,
        })
        .execute();
    }
    const summary = await applyPlan(deps, read, fileId, sha256);
    await deps.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('payout_bank_file')
        .set({
          status: 'applied',
          // Safe: a jsonb parameter is sent as its JSON text (both drivers) and read back parsed.
          summary: JSON.stringify(summary) as unknown as BankFileSummary,
          applied_at: new Date(),
        })
        .where('id', '=', fileId)
        .execute();
      await deps.audit.appendInTransaction(trx, [
        writeAuditEntry(write, { type: 'bank_file', id: fileId }, [], context.requestId),
      ]);
    });
    return {
      id: fileId,
      format: upload.format,
      messageId: read.messageId,
      replayed: false,
      summary,
    };
  });
}

async function readAndPlan(deps: PaymentsDependencies, upload: BankFileUpload): Promise<ReadFile> {
  if (upload.format === 'pain.002') {
    const report = readPain002(upload.content);
    const batch = await deps.db
      .selectFrom('payout_batch')
      .select(['id', 'currency', 'payment_information_id'])
      .where('message_id', '=', report.originalMessageId)
      .executeTakeFirst();
    if (batch === undefined) {
      throw new BankFileError(
        'AMP_BANK_FILE_UNMATCHED',
        'The status report names a payout file Amparo did not write',
      );
    }
    const instructions = await plannedInstructions(deps, { batchId: batch.id });
    return {
      messageId: report.messageId,
      currency: batch.currency,
      plan: planStatusReport(report, instructions, batch.payment_information_id),
    };
  }
  const statements = await readStatements(upload);
  const first = statements[0] as BankStatement;
  for (const statement of statements) {
    const batch = await deps.db
      .selectFrom('payout_batch')
      .select('id')
      .where('debtor_account', '=', statement.account)
      .where('currency', '=', statement.currency)
      .executeTakeFirst();
    if (batch === undefined) {
      throw new BankFileError(
        'AMP_BANK_FILE_UNMATCHED',
        'The statement is of an account (or currency) no payout file pays from',
      );
    }
    if (statement.currency !== first.currency)
      throw new BankFileError(
        'AMP_BANK_FILE_UNMATCHED',
        'The statements are in different currencies',
      );
  }
  const endToEndIds = [
    ...new Set(
      statements.flatMap((statement) =>
        statement.movements.flatMap((movement) =>
          movement.endToEndId === null ? [] : [movement.endToEndId],
        ),
      ),
    ),
  ];
  const instructions: PlannedInstruction[] = [];
  for (let start = 0; start < endToEndIds.length; start += 5_000) {
    const ids = endToEndIds.slice(start, start + 5_000);
    instructions.push(...(await plannedInstructions(deps, { endToEndIds: ids })));
  }
  return {
    messageId: first.messageId,
    currency: first.currency,
    plan: planStatements(statements, instructions),
  };
}

async function readStatements(upload: BankFileUpload): Promise<BankStatement[]> {
  if (upload.format === 'mt940') return readMt940(upload.content);
  const statements = readCamt(upload.content);
  if (statements[0]?.format !== upload.format) {
    throw new BankFileError(
      'AMP_BANK_FILE_UNSUPPORTED',
      `The file is a ${statements[0]?.format}, not a ${upload.format}`,
    );
  }
  // The one statement version whose official schema ships with Amparo is also validated by it.
  if (upload.content.includes('urn:iso:std:iso:20022:tech:xsd:camt.053.001.08')) {
    const verdict = await validateIso20022(upload.content, 'camt.053.001.08');
    if (!verdict.valid) {
      const where = `line ${verdict.errors[0]?.line ?? '?'}`;
      throw new BankFileError(
        'AMP_BANK_FILE_MALFORMED',
        `${where}: the official camt.053.001.08 schema refuses the file`,
        [{ field: where, reason: 'the official schema refuses the file' }],
      );
    }
  }
  return statements;
}

async function plannedInstructions(
  deps: PaymentsDependencies,
  filter: { batchId: string } | { endToEndIds: readonly string[] },
): Promise<PlannedInstruction[]> {
  let query = deps.db
    .selectFrom('payout_instruction')
    .select((eb) => [
      'id',
      'end_to_end_id',
      'amount_minor',
      'status',
      eb
        .exists(
          eb
            .selectFrom('payout_return_rejection as r')
            .select('r.instruction_id')
            .whereRef('r.instruction_id', '=', 'payout_instruction.id'),
        )
        .as('return_rejected'),
    ]);
  query =
    'batchId' in filter
      ? query.where('batch_id', '=', filter.batchId)
      : query.where('end_to_end_id', 'in', [...filter.endToEndIds]);
  const rows = await query.orderBy('seq').execute();
  return rows.map((row) => ({
    id: row.id,
    endToEndId: row.end_to_end_id,
    amountMinor: BigInt(row.amount_minor),
    status: row.status,
    returnRejected: Boolean(row.return_rejected),
  }));
}

/** Sends transfers to the ledger in batches within its limit, answering each in order. */
async function sendTransfers(
  deps: PaymentsDependencies,
  transfers: readonly TransferInput[],
): Promise<TransferOutcome[]> {
  const outcomes: TransferOutcome[] = [];
  for (let start = 0; start < transfers.length; start += ledgerLimits.transfersPerBatchMax) {
    outcomes.push(
      ...(await transferCreator(
        deps.db,
        transfers.slice(start, start + ledgerLimits.transfersPerBatchMax),
      )),
    );
  }
  return outcomes;
}

/**
 * Writes what the plan decided: first the posts and voids (a return needs its payment
 * posted), then returns and unmatched movements to or from suspense, then the payouts'
 * statuses and the suspense rows. A transfer the ledger answers `replayed` was written by an
 * earlier file (or an interrupted run of this one) and counts as unchanged.
 */
async function applyPlan(
  deps: PaymentsDependencies,
  read: ReadFile,
  fileId: string,
  sha256: string,
): Promise<BankFileSummary> {
  const { plan, currency } = read;
  const summary: BankFileSummary = {
    accepted: 0,
    rejected: 0,
    settled: 0,
    returned: 0,
    suspense: 0,
    unchanged: plan.unchanged,
    refused: 0,
  };
  await ensurePayoutAccounts(deps, currency);
  const settlement = settlementAccountId(currency);
  const suspense = suspenseAccountId(currency);
  const unmatchedWithIds = plan.unmatched.map((item) => ({
    ...item,
    transferId: unmatchedMovementId({ ...item, direction: item.kind, fileSha256: sha256 }),
  }));
  const count = (outcome: TransferOutcome | undefined, key: keyof BankFileSummary): boolean => {
    if (outcome?.result !== 'ok') summary.refused += 1;
    else if (outcome.replayed) summary.unchanged += 1;
    else summary[key] += 1;
    return outcome?.result === 'ok';
  };
  const resolutionOutcomes = await sendTransfers(
    deps,
    plan.resolutions.map((item) => ({
      id: item.post ? payoutPostId(item.instructionId) : payoutVoidId(item.instructionId),
      debitAccountId: zeroId,
      creditAccountId: zeroId,
      amountMinor: 0n,
      pendingId: payoutPendingId(item.instructionId),
      flags: item.post ? transferFlags.postPendingTransfer : transferFlags.voidPendingTransfer,
      currency,
      reason: 'disbursement',
      referenceKind: 'payout',
      referenceId: item.instructionId,
    })),
  );
  const resolved = plan.resolutions.filter((item, index) =>
    count(resolutionOutcomes[index], item.post ? 'accepted' : 'rejected'),
  );
  const moves: TransferInput[] = [
    ...plan.returns.map((item) => ({
      id: payoutReturnId(item.instructionId),
      debitAccountId: settlement,
      creditAccountId: suspense,
      amountMinor: item.amountMinor,
      flags: transferFlags.none,
      currency,
      reason: 'return',
      referenceKind: 'payout',
      referenceId: item.instructionId,
    })),
    ...unmatchedWithIds.map((item) => ({
      id: item.transferId,
      debitAccountId: item.kind === 'unmatched_credit' ? settlement : suspense,
      creditAccountId: item.kind === 'unmatched_credit' ? suspense : settlement,
      amountMinor: item.amountMinor,
      flags: transferFlags.none,
      currency,
      reason: 'suspense',
      // The suspense row of the movement (its id is this transfer's), not the file: the same
      // movement reported by a camt.054 and then a camt.053 is the same transfer.
      referenceKind: 'statement',
      referenceId: item.transferId,
    })),
  ];
  const moveOutcomes = await sendTransfers(deps, moves);
  const returned = plan.returns.filter((_, index) => count(moveOutcomes[index], 'returned'));
  const unmatched = unmatchedWithIds.filter((_, index) =>
    count(moveOutcomes[plan.returns.length + index], 'suspense'),
  );
  summary.settled += plan.settled.length;
  await recordStatuses(deps, read, fileId, { resolved, returned, unmatched });
  return summary;
}

async function recordStatuses(
  deps: PaymentsDependencies,
  read: ReadFile,
  fileId: string,
  done: {
    resolved: BankFilePlan['resolutions'];
    returned: BankFilePlan['returns'];
    unmatched: ReadonlyArray<BankFilePlan['unmatched'][number] & { transferId: string }>;
  },
): Promise<void> {
  const now = new Date();
  await deps.db.transaction().execute(async (trx) => {
    for (const item of done.resolved) {
      await trx
        .updateTable('payout_instruction')
        .set({ status: item.status, status_reason: item.reason, updated_at: now })
        .where('id', '=', item.instructionId)
        .where('status', '=', 'pending')
        .execute();
    }
    for (let start = 0; start < read.plan.settled.length; start += 5_000) {
      await trx
        .updateTable('payout_instruction')
        .set({ status: 'settled', updated_at: now })
        .where('id', 'in', read.plan.settled.slice(start, start + 5_000))
        .where('status', '=', 'accepted')
        .execute();
    }
    const rows = [
      ...done.returned.map((item) => ({
        id: payoutReturnId(item.instructionId),
        bank_file_id: fileId,
        location: item.location,
        kind: 'returned' as const,
        instruction_id: item.instructionId,
        end_to_end_id: item.endToEndId,
        bank_reference: item.bankReference,
        currency: read.currency,
        amount_minor: item.amountMinor,
        reason: item.reason,
        booking_date: item.bookingDate,
        returned_from: item.returnedFrom,
      })),
      ...done.unmatched.map((item) => ({
        id: item.transferId,
        bank_file_id: fileId,
        location: item.location,
        kind: item.kind,
        instruction_id: null,
        end_to_end_id: item.endToEndId,
        bank_reference: item.bankReference,
        currency: read.currency,
        amount_minor: item.amountMinor,
        reason: null,
        booking_date: item.bookingDate,
        returned_from: null,
      })),
    ];
    // A return read from a statement holds the entitlement until a second finance officer, not
    // this file's uploader, confirms it (return-confirmer.ts, migration 0131): the uploader's
    // word alone must not make a paid entitlement payable again.
    for (const item of done.returned) {
      await trx
        .updateTable('payout_instruction')
        .set({ status: 'return_pending', status_reason: item.reason, updated_at: now })
        .where('id', '=', item.instructionId)
        // As planned: not over a rejection (or a confirmation) written since the plan was read.
        .where('status', 'in', ['accepted', 'settled'])
        .execute();
    }
    for (let start = 0; start < rows.length; start += 2_000) {
      await trx
        .insertInto('payout_suspense')
        .values(rows.slice(start, start + 2_000))
        .onConflict((conflict) => conflict.column('id').doNothing())
        .execute();
    }
  });
}
