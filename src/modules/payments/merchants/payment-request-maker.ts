import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { limits } from '../../../limits.js';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import { amountFrom } from '../money-input.js';
import { PaymentsError } from '../payments-error.js';
import type { MerchantSummary } from './merchant-registry.js';
import { type PaymentRequestFields, paymentRequestToken } from './payment-request-token.js';

/**
 * Makes a payment request for a merchant (its staff, at the till) and answers the signed token
 * its QR shows. The amount is the full price; with a program, the program's share of it
 * (`merchant_subsidy`) is paid from the program's funding account when the request is paid.
 *
 * @example
 *   const { token } = await paymentRequestMaker(db, masterKey, { merchant, amountMinor: '2500',
 *     reference: 'T-1042', programId: null, expiresInSeconds: 300, createdBy, now });
 */
export async function paymentRequestMaker(
  db: Kysely<Database>,
  masterKey: Buffer,
  props: {
    merchant: MerchantSummary;
    amountMinor: string;
    reference: string;
    programId: string | null;
    expiresInSeconds: number | undefined;
    createdBy: string;
    now: Date;
  },
): Promise<PaymentRequestFields & { token: string }> {
  const amountMinor = amountFrom(props.amountMinor);
  // Two-person rule: a merchant registered by one finance officer is paid nothing until a second
  // one approves the registration (its settlement account, staff and subsidy shares).
  if (props.merchant.approvedAt === null) throw merchantNotApproved();
  const { requestSecondsMax, requestSecondsMin } = limits.merchants;
  const seconds = Math.min(
    Math.max(props.expiresInSeconds ?? requestSecondsMax, requestSecondsMin),
    requestSecondsMax,
  );
  if (props.programId !== null) {
    const subsidy = await db
      .selectFrom('merchant_subsidy')
      .select('share_basis_points')
      .where('merchant_id', '=', props.merchant.merchantId)
      .where('program_id', '=', props.programId)
      .executeTakeFirst();
    if (subsidy === undefined) {
      throw new AmparoError('AMP_VALIDATION', {
        detail: 'That program subsidises no price at this merchant',
        errors: [{ field: '/programId', reason: 'no subsidy of this program here' }],
      });
    }
  }
  const fields: PaymentRequestFields = {
    requestId: randomUUID(),
    merchantId: props.merchant.merchantId,
    merchantName: props.merchant.name,
    amountMinor,
    currency: props.merchant.currency,
    reference: props.reference,
    programId: props.programId,
    expiresAt: new Date(props.now.getTime() + seconds * 1000),
  };
  await db
    .insertInto('payment_request')
    .values({
      id: fields.requestId,
      merchant_id: fields.merchantId,
      amount_minor: amountMinor,
      currency: fields.currency,
      reference: fields.reference,
      program_id: fields.programId,
      expires_at: fields.expiresAt,
      created_by: props.createdBy,
      created_at: props.now,
    })
    .execute();
  return { ...fields, token: paymentRequestToken(masterKey, fields) };
}

/** A merchant whose registration a second finance officer has not approved yet. */
export function merchantNotApproved(): PaymentsError {
  return new PaymentsError(
    'AMP_APPROVAL_REQUIRED',
    "A second finance officer must approve the merchant's registration before it is paid",
  );
}
