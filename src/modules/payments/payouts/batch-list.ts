import { limits } from '../../../limits.js';
import { AmparoError } from '../../../platform/errors.js';
import { programChoices } from '../../programs/index.js';
import type { PaymentsContext, PaymentsDependencies } from '../payments-context.js';
import { batchSummaries, type PayoutBatchSummary, payoutBatchExists } from './batch-reader.js';
import { guardPayout, guardPayoutList } from './payout-gate.js';
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

/**
 * One page of a batch's rows in `seq` order after `afterSeq` (`payout.read`, audited on the
 * batch): the gate, a missing batch answered like one outside one's scope (404), then `read`
 * asked for one row more than a page, which says whether another page follows. The payments and
 * the exclusions are both paged so.
 *
 * @example
 *   const { page, nextAfterSeq } = await batchPage(deps, context, props, (afterSeq, limit) =>
 *     deps.db.selectFrom('payout_exclusion').selectAll().where('batch_id', '=', props.batchId)
 *       .where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute());
 */
async function batchPage<Row extends { seq: number }>(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  props: { batchId: string; afterSeq: number },
  read: (afterSeq: number, limit: number) => Promise<Row[]>,
): Promise<{ page: Row[]; nextAfterSeq: number | null }> {
  const exists = await payoutBatchExists(deps.db, props.batchId);
  const resource = { type: 'payout_batch' as const, id: props.batchId };
  const { grant } = await guardPayout(deps, context, 'payout.read', resource, exists);
  if (!exists) throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such payout batch' });
  const pageSize = limits.payouts.batchPaymentsPageMax;
  const rows = await read(props.afterSeq, pageSize + 1);
  await grant.record([]);
  const page = rows.slice(0, pageSize);
  return { page, nextAfterSeq: rows.length > pageSize ? (page.at(-1)?.seq ?? null) : null };
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
  const { page, nextAfterSeq } = await batchPage(deps, context, props, (afterSeq, limit) =>
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
      ])
      .where('batch_id', '=', props.batchId)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute(),
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
  const { page, nextAfterSeq } = await batchPage(deps, context, props, (afterSeq, limit) =>
    deps.db
      .selectFrom('payout_exclusion')
      .selectAll()
      .where('batch_id', '=', props.batchId)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute(),
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
