import { type SelectQueryBuilder, sql } from 'kysely';
import { limits } from '../../../limits.js';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import { programChoices } from '../../programs/index.js';
import type { PaymentsContext, PaymentsDependencies } from '../payments-context.js';
import { batchSummaries, type PayoutBatchSummary } from './batch-reader.js';
import { guardBatch, guardPayoutList } from './payout-gate.js';
import type { PayoutExclusionReason, PayoutStatus } from './payout-tables.js';

/** A batch as the console lists it: its figures and its program's names. */
export interface ListedPayoutBatch extends PayoutBatchSummary {
  /** The program's names, when it is published (or suspended); null otherwise. */
  programName: { es: string; en: string } | null;
}

/**
 * The payout batches, newest first (`payout.read`, audited): program, cycles, status, counts
 * and totals by payment status. No creditor: the finance officer and the auditor see figures.
 *
 * @example
 *   const batches = await payoutBatchLister(deps, context);
 */
export async function payoutBatchLister(
  deps: PaymentsDependencies,
  context: PaymentsContext,
): Promise<ListedPayoutBatch[]> {
  const { grant } = await guardPayoutList(deps, context, 'payout_batch');
  const batches = await deps.db
    .selectFrom('payout_batch')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limits.payouts.batchListMax)
    .execute();
  const [summaries, programs] = await Promise.all([
    batchSummaries(deps.db, batches),
    programChoices(deps.db),
  ]);
  const names = new Map(programs.map((program) => [program.programId, program.name]));
  await grant.record([]);
  return summaries.map((summary) => ({
    ...summary,
    programName: names.get(summary.programId) ?? null,
  }));
}

/** One payment of a batch as the console shows it: no creditor, no person. */
export interface BatchPayment {
  seq: number;
  endToEndId: string;
  accountKind: 'bank_account' | 'mobile_money';
  bankCode: string | null;
  amountMinor: bigint;
  status: PayoutStatus;
  /** The bank's reason code, the ledger's refusal, or why it was cancelled. */
  statusReason: string | null;
  updatedAt: Date;
}

/** The batch tables a page is read from, both keyed by `batch_id` and ordered by `seq`. */
type PagedTable = 'payout_instruction' | 'payout_exclusion';

/**
 * One page of a batch's rows in `seq` order after `afterSeq` (`payout.read`, audited on the
 * batch): the gate, a missing batch answered like one outside one's scope (404), then `rows` —
 * the table and its columns — narrowed to the batch and asked for one row more than a page,
 * which says whether another page follows. The payments and the exclusions are both paged so.
 *
 * @example
 *   const { page, nextAfterSeq } = await batchPage(deps, context, props,
 *     deps.db.selectFrom('payout_exclusion').selectAll());
 */
async function batchPage<Table extends PagedTable, Row extends { seq: number }>(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  props: { batchId: string; afterSeq: number },
  rows: SelectQueryBuilder<Database, Table, Row>,
): Promise<{ page: Row[]; nextAfterSeq: number | null }> {
  const { grant, exists } = await guardBatch(deps, context, 'payout.read', props.batchId);
  if (!exists) throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such payout batch' });
  const pageSize = limits.payouts.batchPaymentsPageMax;
  const read = await rows
    // Both tables have these columns; over a generic table Kysely cannot type their values.
    .where(sql.ref<string>('batch_id'), '=', props.batchId)
    .where(sql.ref<number>('seq'), '>', props.afterSeq)
    .orderBy('seq')
    .limit(pageSize + 1)
    .execute();
  await grant.record([]);
  const page = read.slice(0, pageSize);
  return { page, nextAfterSeq: read.length > pageSize ? (page.at(-1)?.seq ?? null) : null };
}

/**
 * A page of a batch's payments in file order, after `afterSeq` (`payout.read`, audited): each
 * one's end-to-end id (what the bank's answers carry), account kind, bank, amount and status.
 * A missing batch is answered like one outside one's scope (404).
 *
 * @example
 *   const page = await batchPaymentsReader(deps, context, { batchId, afterSeq: -1 });
 */
export async function batchPaymentsReader(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  props: { batchId: string; afterSeq: number },
): Promise<{ payments: BatchPayment[]; nextAfterSeq: number | null }> {
  const { page, nextAfterSeq } = await batchPage(
    deps,
    context,
    props,
    deps.db
      .selectFrom('payout_instruction')
      .select([
        'seq',
        'end_to_end_id',
        'account_kind',
        'bank_code',
        'amount_minor',
        'status',
        'status_reason',
        'updated_at',
      ]),
  );
  return {
    payments: page.map((row) => ({
      seq: row.seq,
      endToEndId: row.end_to_end_id,
      accountKind: row.account_kind,
      bankCode: row.bank_code,
      amountMinor: BigInt(row.amount_minor),
      status: row.status,
      statusReason: row.status_reason,
      updatedAt: row.updated_at,
    })),
    nextAfterSeq,
  };
}

/** An instruction of a batch's request left out: its person had no usable payee account. */
export interface BatchExclusion {
  seq: number;
  entitlementId: string;
  personId: string;
  amountMinor: bigint;
  reason: PayoutExclusionReason;
  heldUntil: Date | null;
}

/**
 * A page of what a batch's request named but left out, in request order, after `afterSeq`
 * (`payout.read`, audited): the entitlement, its person (whose payee account is to be set, so
 * the next batch can pay them) and why. Ids only: no name, no account.
 *
 * @example
 *   const page = await batchExclusionsReader(deps, context, { batchId, afterSeq: -1 });
 */
export async function batchExclusionsReader(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  props: { batchId: string; afterSeq: number },
): Promise<{ exclusions: BatchExclusion[]; nextAfterSeq: number | null }> {
  const { page, nextAfterSeq } = await batchPage(
    deps,
    context,
    props,
    deps.db.selectFrom('payout_exclusion').selectAll(),
  );
  return {
    exclusions: page.map((row) => ({
      seq: row.seq,
      entitlementId: row.reference_id,
      personId: row.person_id,
      amountMinor: BigInt(row.amount_minor),
      reason: row.reason,
      heldUntil: row.held_until,
    })),
    nextAfterSeq,
  };
}
