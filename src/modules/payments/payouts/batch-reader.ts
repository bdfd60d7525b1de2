import { createHash } from 'node:crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import { consumePersonReads } from '../../access/index.js';
import type { PaymentsContext, PaymentsDependencies } from '../payments-context.js';
import { PaymentsError } from '../payments-error.js';
import { type Creditor, openCreditors } from './creditor-seal.js';
import { BankFileError } from './iso20022/bank-file-error.js';
import { type PayoutFile, writePain001 } from './iso20022/pain001-writer.js';
import { validatePain001 } from './iso20022/xsd-validator.js';
import {
  appendPersonReads,
  auditingRefusals,
  guardBatch,
  guardPayout,
  type PayoutDependencies,
  type PayoutGrant,
  uuidPattern,
} from './payout-gate.js';
import type { PayoutBatchStatus, PayoutStatus } from './payout-tables.js';

/** A batch's figures: no creditor's name or account. */
export interface PayoutBatchSummary {
  id: string;
  status: PayoutBatchStatus;
  messageId: string;
  programId: string;
  /** The cycles of the entitlements paid (none for a batch written before migration 0104). */
  cycleIds: string[];
  currency: 'VES' | 'USD';
  requestedExecutionDate: string;
  paymentsCount: number;
  amountTotalMinor: bigint;
  fileSha256: string | null;
  createdAt: Date;
  /** The file's first download: from then on the bank may pay it. */
  sentAt: Date | null;
  cancelledAt: Date | null;
  /** A second finance officer's approval (`batch-approver.ts`): the file leaves only after it. */
  approvedAt: Date | null;
  /** Instructions of the request left out: their person had no usable payee account. */
  excludedCount: number;
  /** Payments and their amounts by status. */
  byStatus: Array<{ status: PayoutStatus; count: number; amountMinor: bigint }>;
  /** Still `preparing` with no run holding its preparation lease (`batch-resumer.ts`). */
  resumable: boolean;
}

export async function batchSummary(
  db: Kysely<Database>,
  batchId: string,
): Promise<PayoutBatchSummary> {
  const batch = await db
    .selectFrom('payout_batch')
    .selectAll()
    .where('id', '=', batchId)
    .executeTakeFirstOrThrow();
  // Safe: one batch in, one summary out.
  return (await batchSummaries(db, [batch]))[0] as PayoutBatchSummary;
}

/**
 * The summaries of batches read already, in their order: one grouped query over their payments
 * (by status, and the cycles they pay), however many batches.
 */
export async function batchSummaries(
  db: Kysely<Database>,
  batches: ReadonlyArray<Selectable<Database['payout_batch']>>,
): Promise<PayoutBatchSummary[]> {
  if (batches.length === 0) return [];
  const groups = await db
    .selectFrom('payout_instruction')
    .select([
      'batch_id',
      'status',
      (eb) => eb.fn.countAll<string>().as('count'),
      (eb) => eb.fn.sum<string>('amount_minor').as('amount'),
      sql<string | null>`string_agg(distinct cycle_id::text, ',')`.as('cycle_ids'),
    ])
    .where('batch_id', '=', sql<string>`any(${batches.map((batch) => batch.id)}::uuid[])`)
    .groupBy(['batch_id', 'status'])
    .orderBy('status')
    .execute();
  return batches.map((batch) => {
    const own = groups.filter((group) => group.batch_id === batch.id);
    const cycleIds = new Set(own.flatMap((group) => group.cycle_ids?.split(',') ?? []));
    return {
      id: batch.id,
      status: batch.status,
      messageId: batch.message_id,
      programId: batch.program_id,
      cycleIds: [...cycleIds].sort(),
      currency: batch.currency,
      requestedExecutionDate: isoDay(batch.requested_execution_date),
      paymentsCount: batch.payments_count,
      amountTotalMinor: BigInt(batch.amount_total_minor),
      fileSha256: batch.file_sha256,
      createdAt: batch.created_at,
      sentAt: batch.sent_at,
      cancelledAt: batch.cancelled_at,
      approvedAt: batch.approved_at,
      excludedCount: batch.excluded_count,
      byStatus: own.map((group) => ({
        status: group.status,
        count: Number(group.count),
        amountMinor: BigInt(group.amount),
      })),
      resumable:
        batch.status === 'preparing' &&
        (batch.prepare_lease_until === null || batch.prepare_lease_until.getTime() <= Date.now()),
    };
  });
}

/** A `date` column as YYYY-MM-DD, whichever way the driver hands it over. */
function isoDay(value: string | Date): string {
  return value instanceof Date
    ? `${value.getFullYear()}-${String(value.getMonth() + 1).padStart(2, '0')}-${String(value.getDate()).padStart(2, '0')}`
    : value.slice(0, 10);
}

/** A batch's file as written, with the persons it names. */
export interface WrittenBatchFile {
  xml: string;
  /** Each payment's person, once each: whose data the file reads. */
  personIds: string[];
  /** The payments in the file (what `recordBatchFile` checks were not cancelled meanwhile). */
  instructionIds: string[];
}

/**
 * Writes the batch's pain.001.001.09 file from its rows (every instruction the ledger did not
 * refuse and that was not cancelled: `payout-lifecycle.ts`), opening each creditor with its person's data key; null when nothing is left to pay.
 * The file is the same every time it is written (the rows do not change what goes in it): the
 * batch creator validates it once against the official schema and keeps its SHA-256, and a
 * download checks the hash instead of validating again. A person erased since the batch was
 * made has no creditor any more: the file is refused (`AMP_PAYOUT_CREDITOR_ERASED`), naming the
 * payments by end-to-end id only. `beforeOpening` runs first with the persons the file names
 * (the download counts them against the read quota there).
 */
export async function writeBatchFile(
  deps: Pick<PayoutDependencies, 'db' | 'masterKey'>,
  batchId: string,
  beforeOpening: (personIds: string[]) => Promise<void> = async () => {},
): Promise<WrittenBatchFile | null> {
  const { db } = deps;
  const batch = await db
    .selectFrom('payout_batch')
    .selectAll()
    .where('id', '=', batchId)
    .executeTakeFirstOrThrow();
  const rows = await db
    .selectFrom('payout_instruction')
    .selectAll()
    .where('batch_id', '=', batchId)
    .where('status', 'not in', ['refused', 'cancelled'])
    .orderBy('seq')
    .execute();
  if (rows.length === 0) return null;
  const personIds = [...new Set(rows.map((row) => row.person_id))];
  await beforeOpening(personIds);
  const creditors = await openCreditors(db, deps.masterKey, rows);
  const erased = rows.filter((_, index) => creditors[index] === null);
  if (erased.length > 0) {
    throw new BankFileError(
      'AMP_PAYOUT_CREDITOR_ERASED',
      `${erased.length} payment(s) of this file are to persons whose data was erased; void them (a pain.002 rejection) or pay them otherwise`,
      erased.slice(0, 100).map((row) => ({
        field: `/payments/${row.end_to_end_id}`,
        reason: 'the creditor was erased',
      })),
    );
  }
  const file: PayoutFile = {
    messageId: batch.message_id,
    createdAt: batch.created_at,
    initiatingPartyName: batch.debtor_name,
    paymentInformationId: batch.payment_information_id,
    requestedExecutionDate: isoDay(batch.requested_execution_date),
    debtorName: batch.debtor_name,
    debtorAccountNumber: batch.debtor_account,
    debtorBank: {
      bankCode: batch.debtor_bank_code ?? undefined,
      bic: batch.debtor_bic ?? undefined,
    },
    currency: batch.currency,
    payments: rows.map((row, index) => {
      // Safe: a null creditor was refused above.
      const creditor = creditors[index] as Creditor;
      return {
        endToEndId: row.end_to_end_id,
        amountMinor: BigInt(row.amount_minor),
        creditorName: creditor.name,
        creditorNationalId: creditor.nationalId,
        account:
          row.account_kind === 'bank_account'
            ? { kind: 'bank_account' as const, accountNumber: creditor.accountNumber }
            : { kind: 'mobile_money' as const, phoneNumber: creditor.accountNumber },
        bank: { bankCode: row.bank_code ?? undefined, bic: row.bank_bic ?? undefined },
        remittance: row.remittance ?? undefined,
      };
    }),
  };
  return { xml: writePain001(file), personIds, instructionIds: rows.map((row) => row.id) };
}

/** Refuses a file the writer made that the schema refuses: a bug, it must never reach a bank. */
export async function assertSchemaValid(xml: string): Promise<void> {
  const verdict = await validatePain001(xml);
  if (!verdict.valid) {
    throw new AmparoError('AMP_INTERNAL', {
      detail: `The payout file failed the schema: ${verdict.errors[0]?.message ?? ''}`,
    });
  }
}

/** A batch's figures for the finance officer or the auditor (`payout.read`, audited). */
export async function payoutBatchReader(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  batchId: string,
): Promise<PayoutBatchSummary> {
  const { grant } = await guardBatch(deps, context, 'payout.read', batchId);
  const summary = await batchSummary(deps.db, batchId);
  await grant.record([]);
  return summary;
}

/** The fields of a person a payout file reads, as their access history names them. */
export const payoutFileFields = ['account_number', 'creditor_name', 'national_id'] as const;

/**
 * The batch's pain.001.001.09 file for the bank (`payout.manage`), once a second finance
 * officer approved the batch (`batch-approver.ts`; `AMP_APPROVAL_REQUIRED` before): a bulk read of the
 * creditors' names, accounts and cédulas. Before anything is opened, each person it names
 * counts as one person read against the hourly quota of an operator who did not make the batch
 * (a file larger than what is left of the quota is refused, 429 `AMP_QUOTA_EXCEEDED`, like a
 * search). The operator who made it is not counted, so a payout of 100,000 persons stays
 * payable: the creditors come from the persons' stored payee accounts, and what bounds the
 * maker's download is the second finance officer's approval before it, the batch paying only
 * open entitlements of one program, and the per-person audit (README, "Creditors under the
 * person's data key"). Before the file
 * leaves, each person gets their own audit entry (so the download shows in their access
 * history), in one transaction, and the batch one. The file is written again and must be byte
 * for byte the one whose SHA-256 was kept when the batch was made.
 */
export async function payoutFileReader(
  deps: PayoutDependencies,
  context: PaymentsContext,
  batchId: string,
): Promise<{ fileName: string; xml: string }> {
  const batch = uuidPattern.test(batchId)
    ? await deps.db
        .selectFrom('payout_batch')
        .select(['status', 'file_sha256', 'message_id', 'created_by', 'approved_at'])
        .where('id', '=', batchId)
        .executeTakeFirst()
    : undefined;
  const resource = { type: 'payout_batch' as const, id: batchId };
  const { grant, write } = await guardPayout(
    deps,
    context,
    'payout.manage',
    resource,
    batch !== undefined,
  );
  const actor = context.actor;
  const written = await auditingRefusals(deps, write, resource, async () => {
    if (batch?.status !== 'ready') return null;
    // Two-person rule: the file leaves only after a second finance officer approved the batch.
    if (batch.approved_at === null) {
      throw new PaymentsError(
        'AMP_APPROVAL_REQUIRED',
        'A second finance officer must approve the batch before its file is downloaded',
      );
    }
    return writeBatchFile(deps, batchId, async (personIds) => {
      if (actor?.kind === 'operator' && actor.operatorId !== batch.created_by)
        await consumePersonReads(deps.db, actor, personIds.length);
    });
  });
  if (batch === undefined || written === null) {
    throw new AmparoError('AMP_CONFLICT', {
      detail:
        'The batch has no file: it is still being prepared or the ledger refused every payment',
    });
  }
  if (!(await recordBatchFile(deps.db, batchId, written, { sent: true }))) {
    throw new AmparoError('AMP_CONFLICT', {
      detail:
        'A payment of this file was cancelled while it was written (its person died, was merged or erased): download it again',
    });
  }
  await auditPersonReads(deps, write, written.personIds);
  await grant.record([]);
  return { fileName: `${batch.message_id}.xml`, xml: written.xml };
}

/**
 * Records a file written from the batch's rows, under the batch's lock: false, recording
 * nothing, when one of its payments was cancelled meanwhile (`payout-lifecycle.ts` cancels
 * under the same lock; the caller writes the file again). Its SHA-256 is kept the first time,
 * after the file is validated against the official schema, and must match every time after
 * (the rows do not change what goes in it); a cancellation clears it. `sent` marks the batch
 * sent (its first download): from then on no payment of it is cancelled, only flagged.
 */
export async function recordBatchFile(
  db: Kysely<Database>,
  batchId: string,
  written: WrittenBatchFile,
  options: { sent: boolean },
): Promise<boolean> {
  const sha256 = createHash('sha256').update(written.xml).digest('hex');
  return db.transaction().execute(async (trx) => {
    const batch = await trx
      .selectFrom('payout_batch')
      .select(['file_sha256', 'sent_at'])
      .where('id', '=', batchId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const cancelled = await trx
      .selectFrom('payout_instruction')
      .select('id')
      .where('id', '=', sql<string>`any(${written.instructionIds}::uuid[])`)
      .where('status', '=', 'cancelled')
      .limit(1)
      .execute();
    if (cancelled.length > 0) return false;
    if (batch.file_sha256 === null) {
      await assertSchemaValid(written.xml);
    } else if (batch.file_sha256 !== sha256) {
      throw new AmparoError('AMP_INTERNAL', {
        detail: 'The payout file is not the one that was validated',
      });
    }
    await trx
      .updateTable('payout_batch')
      .set({
        file_sha256: sha256,
        ...(options.sent && batch.sent_at === null ? { sent_at: new Date() } : {}),
      })
      .where('id', '=', batchId)
      .execute();
    return true;
  });
}

/** One audit entry per person the file names, appended together before the file leaves. */
async function auditPersonReads(
  deps: PayoutDependencies,
  write: PayoutGrant['write'],
  personIds: readonly string[],
): Promise<void> {
  await deps.db
    .transaction()
    .execute((trx) => appendPersonReads(deps, trx, write, personIds, payoutFileFields));
}
