import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import type { PaymentsContext, PaymentsDependencies } from '../payments-context.js';
import { type PayoutFile, writePain001 } from './iso20022/pain001-writer.js';
import { validatePain001 } from './iso20022/xsd-validator.js';
import { guardPayout } from './payout-gate.js';
import type { PayoutBatchStatus, PayoutStatus } from './payout-tables.js';

/** A batch's figures: no creditor's name or account. */
export interface PayoutBatchSummary {
  id: string;
  status: PayoutBatchStatus;
  messageId: string;
  programId: string;
  currency: 'VES' | 'USD';
  requestedExecutionDate: string;
  paymentsCount: number;
  amountTotalMinor: bigint;
  fileSha256: string | null;
  /** Payments and their amounts by status. */
  byStatus: Array<{ status: PayoutStatus; count: number; amountMinor: bigint }>;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export async function batchSummary(
  db: Kysely<Database>,
  batchId: string,
): Promise<PayoutBatchSummary> {
  const batch = await db
    .selectFrom('payout_batch')
    .selectAll()
    .where('id', '=', batchId)
    .executeTakeFirstOrThrow();
  const groups = await db
    .selectFrom('payout_instruction')
    .select([
      'status',
      (eb) => eb.fn.countAll<string>().as('count'),
      (eb) => eb.fn.sum<string>('amount_minor').as('amount'),
    ])
    .where('batch_id', '=', batchId)
    .groupBy('status')
    .orderBy('status')
    .execute();
  return {
    id: batch.id,
    status: batch.status,
    messageId: batch.message_id,
    programId: batch.program_id,
    currency: batch.currency,
    requestedExecutionDate: isoDay(batch.requested_execution_date),
    paymentsCount: batch.payments_count,
    amountTotalMinor: BigInt(batch.amount_total_minor),
    fileSha256: batch.file_sha256,
    byStatus: groups.map((group) => ({
      status: group.status,
      count: Number(group.count),
      amountMinor: BigInt(group.amount),
    })),
  };
}

/** A `date` column as YYYY-MM-DD, whichever way the driver hands it over. */
function isoDay(value: string | Date): string {
  return value instanceof Date
    ? `${value.getFullYear()}-${String(value.getMonth() + 1).padStart(2, '0')}-${String(value.getDate()).padStart(2, '0')}`
    : value.slice(0, 10);
}

/**
 * Writes the batch's pain.001.001.09 file from its rows (every instruction the ledger did not
 * refuse); null when nothing is left to pay. The file is the same every time it is written (the
 * rows do not change what goes in it): the batch creator validates it once against the official
 * schema and keeps its SHA-256, and a download checks the hash instead of validating again.
 */
export async function writeBatchFile(
  db: Kysely<Database>,
  batchId: string,
): Promise<string | null> {
  const batch = await db
    .selectFrom('payout_batch')
    .selectAll()
    .where('id', '=', batchId)
    .executeTakeFirstOrThrow();
  const rows = await db
    .selectFrom('payout_instruction')
    .selectAll()
    .where('batch_id', '=', batchId)
    .where('status', '<>', 'refused')
    .orderBy('seq')
    .execute();
  if (rows.length === 0) return null;
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
    payments: rows.map((row) => ({
      endToEndId: row.end_to_end_id,
      amountMinor: BigInt(row.amount_minor),
      creditorName: row.creditor_name,
      creditorNationalId: row.creditor_national_id ?? undefined,
      account:
        row.account_kind === 'bank_account'
          ? { kind: 'bank_account', accountNumber: row.account_number }
          : { kind: 'mobile_money', phoneNumber: row.account_number },
      bank: { bankCode: row.bank_code ?? undefined, bic: row.bank_bic ?? undefined },
      remittance: row.remittance ?? undefined,
    })),
  };
  return writePain001(file);
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
  const exists =
    uuid.test(batchId) &&
    (await deps.db
      .selectFrom('payout_batch')
      .select('id')
      .where('id', '=', batchId)
      .executeTakeFirst()) !== undefined;
  const { grant } = await guardPayout(
    deps,
    context,
    'payout.read',
    { type: 'payout_batch', id: batchId },
    exists,
  );
  const summary = await batchSummary(deps.db, batchId);
  await grant.record([]);
  return summary;
}

/**
 * The batch's pain.001.001.09 file for the bank (`payout.manage`): the creditors' names and
 * accounts, so the download is audited on the batch. It is written again, validated, and must
 * be byte for byte the file whose SHA-256 was kept when the batch was made.
 */
export async function payoutFileReader(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  batchId: string,
): Promise<{ fileName: string; xml: string }> {
  const batch = uuid.test(batchId)
    ? await deps.db
        .selectFrom('payout_batch')
        .select(['status', 'file_sha256', 'message_id'])
        .where('id', '=', batchId)
        .executeTakeFirst()
    : undefined;
  const { grant } = await guardPayout(
    deps,
    context,
    'payout.manage',
    { type: 'payout_batch', id: batchId },
    batch !== undefined,
  );
  const xml = batch?.status === 'ready' ? await writeBatchFile(deps.db, batchId) : null;
  if (batch === undefined || xml === null) {
    throw new AmparoError('AMP_CONFLICT', {
      detail:
        'The batch has no file: it is still being prepared or the ledger refused every payment',
    });
  }
  if (createHash('sha256').update(xml).digest('hex') !== batch.file_sha256) {
    throw new AmparoError('AMP_INTERNAL', {
      detail: 'The payout file is not the one that was validated',
    });
  }
  await grant.record([]);
  return { fileName: `${batch.message_id}.xml`, xml };
}
