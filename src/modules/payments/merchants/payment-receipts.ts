import type { Kysely } from 'kysely';
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
  refundedAt: Date | null;
}

function receipts(db: Kysely<Database>) {
  return db
    .selectFrom('merchant_payment as p')
    .innerJoin('payment_request as r', 'r.id', 'p.request_id')
    .innerJoin('merchant as m', 'm.id', 'p.merchant_id')
    .leftJoin('merchant_refund as f', 'f.request_id', 'p.request_id')
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
      'f.refunded_at',
    ]);
}

type ReceiptRow = Awaited<ReturnType<ReturnType<typeof receipts>['executeTakeFirstOrThrow']>>;

function toReceipt(row: ReceiptRow): PaymentReceipt {
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
    refundedAt: row.refunded_at ?? null,
  };
}

/** The receipt of one paid request, or undefined. */
export async function receiptOf(
  db: Kysely<Database>,
  requestId: string,
): Promise<PaymentReceipt | undefined> {
  const row = await receipts(db).where('p.request_id', '=', requestId).executeTakeFirst();
  return row === undefined ? undefined : toReceipt(row);
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
  return rows.map(toReceipt);
}
