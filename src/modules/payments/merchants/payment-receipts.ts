import { type Kysely, sql } from 'kysely';
import { limits } from '../../../limits.js';
import type { Database } from '../../../platform/db/schema.js';
import type { LedgerCurrency } from '../../ledger/index.js';
import type { PaymentChannel } from './merchant-tables.js';

/**
 * A paid request as both sides see it: the merchant, its reference, the price and who paid
 * which share (the payer's wallet, the program). It never names the payer: the payer knows who
 * they are, and the merchant has no need to.
 */
export interface PaymentReceipt {
  requestId: string;
  merchantId: string;
  merchantName: string;
  reference: string;
  currency: LedgerCurrency;
  amountMinor: bigint;
  payerMinor: bigint;
  subsidyMinor: bigint;
  programId: string | null;
  channel: PaymentChannel;
  paidAt: Date;
  /** The latest refund's time, or null when nothing was refunded. */
  refundedAt: Date | null;
  /** What was refunded so far, in all. */
  refundedMinor: bigint;
  /** Each refund, oldest first, with how it was split (merchants/README.md, "Refunds"). */
  refunds: RefundLine[];
}

/** One refund of a payment as both sides' receipts show it. */
export interface RefundLine {
  refundId: string;
  amountMinor: bigint;
  payerMinor: bigint;
  subsidyMinor: bigint;
  refundedAt: Date;
}

function receipts(db: Kysely<Database>) {
  return db
    .selectFrom('merchant_payment as p')
    .innerJoin('payment_request as r', 'r.id', 'p.request_id')
    .innerJoin('merchant as m', 'm.id', 'p.merchant_id')
    .select([
      'p.request_id',
      'p.merchant_id',
      'm.name',
      'r.reference',
      'p.currency',
      'p.amount_minor',
      'p.payer_minor',
      'p.subsidy_minor',
      'p.program_id',
      'p.channel',
      'p.paid_at',
    ]);
}

type ReceiptRow = Awaited<ReturnType<ReturnType<typeof receipts>['executeTakeFirstOrThrow']>>;

function toReceipt(row: ReceiptRow, refunds: readonly RefundLine[]): PaymentReceipt {
  return {
    requestId: row.request_id,
    merchantId: row.merchant_id,
    merchantName: row.name,
    reference: row.reference,
    currency: row.currency,
    amountMinor: row.amount_minor,
    payerMinor: row.payer_minor,
    subsidyMinor: row.subsidy_minor,
    programId: row.program_id,
    channel: row.channel,
    paidAt: row.paid_at,
    refundedAt: refunds.at(-1)?.refundedAt ?? null,
    refundedMinor: refunds.reduce((sum, refund) => sum + refund.amountMinor, 0n),
    refunds: [...refunds],
  };
}

/** The refunds of these payments, oldest first, by payment. */
async function refundsOf(
  db: Kysely<Database>,
  requestIds: readonly string[],
): Promise<Map<string, RefundLine[]>> {
  const byRequest = new Map<string, RefundLine[]>();
  if (requestIds.length === 0) return byRequest;
  const rows = await db
    .selectFrom('merchant_refund')
    .selectAll()
    .where('request_id', '=', sql<string>`any(${[...requestIds]}::uuid[])`)
    .orderBy('seq')
    .execute();
  for (const row of rows) {
    const lines = byRequest.get(row.request_id) ?? [];
    lines.push({
      refundId: row.refund_id,
      amountMinor: BigInt(row.amount_minor),
      payerMinor: BigInt(row.payer_minor),
      subsidyMinor: BigInt(row.subsidy_minor),
      refundedAt: row.refunded_at,
    });
    byRequest.set(row.request_id, lines);
  }
  return byRequest;
}

/** The receipt of one paid request, or undefined. */
export async function receiptOf(
  db: Kysely<Database>,
  requestId: string,
): Promise<PaymentReceipt | undefined> {
  const row = await receipts(db).where('p.request_id', '=', requestId).executeTakeFirst();
  if (row === undefined) return undefined;
  const refunds = await refundsOf(db, [requestId]);
  return toReceipt(row, refunds.get(requestId) ?? []);
}

/** The payer of a paid request (to check a receipt is the caller's), or undefined. */
export async function payerOf(db: Kysely<Database>, requestId: string) {
  const row = await db
    .selectFrom('merchant_payment')
    .select(['payer_person_id', 'merchant_id'])
    .where('request_id', '=', requestId)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : { personId: row.payer_person_id, merchantId: row.merchant_id };
}

/**
 * One side's payments, newest first: a payer's (`payerPersonId`) or a merchant's. A page ends
 * at `limits.merchants.listPageMax`.
 */
export async function receiptsOf(
  db: Kysely<Database>,
  side: { payerPersonId: string } | { merchantId: string },
  limit = limits.merchants.listPageMax,
): Promise<PaymentReceipt[]> {
  let query = receipts(db);
  query =
    'payerPersonId' in side
      ? query.where('p.payer_person_id', '=', side.payerPersonId)
      : query.where('p.merchant_id', '=', side.merchantId);
  const rows = await query
    .orderBy('p.paid_at', 'desc')
    .orderBy('p.request_id')
    .limit(Math.min(limit, limits.merchants.listPageMax))
    .execute();
  const refunds = await refundsOf(
    db,
    rows.map((row) => row.request_id),
  );
  return rows.map((row) => toReceipt(row, refunds.get(row.request_id) ?? []));
}
