import { sign, verify } from 'node:crypto';
import { limits } from '../../../limits.js';
import { derivedSigningKey } from '../../../platform/crypto/derived-signing-key.js';
import { PaymentsError } from '../payments-error.js';

/**
 * What a merchant's payment-request QR holds, signed with an Ed25519 key derived from the
 * master key (label below), so a payer's app and the server can tell a request Amparo made
 * from one typed up by someone else. The token is text (`AMPPAY1.<payload>.<signature>`,
 * base64url), short enough for a QR in byte mode.
 *
 * @example
 *   const token = paymentRequestToken(masterKey, fields);
 *   readPaymentRequestToken(masterKey, token, new Date()); // fields, or AMP_PAYMENT_REQUEST_*
 */
export interface PaymentRequestFields {
  requestId: string;
  merchantId: string;
  merchantName: string;
  amountMinor: bigint;
  currency: 'VES' | 'USD';
  reference: string;
  /** The subsidising program, or null. */
  programId: string | null;
  expiresAt: Date;
}

const prefix = 'AMPPAY1';
export const paymentRequestKeyLabel = 'amparo payment request signing v1';

interface Payload {
  i: string;
  m: string;
  n: string;
  a: string;
  c: string;
  r: string;
  p: string | null;
  e: number;
}

export function paymentRequestToken(masterKey: Buffer, fields: PaymentRequestFields): string {
  const payload: Payload = {
    i: fields.requestId,
    m: fields.merchantId,
    n: fields.merchantName,
    a: fields.amountMinor.toString(),
    c: fields.currency,
    r: fields.reference,
    p: fields.programId,
    e: Math.floor(fields.expiresAt.getTime() / 1000),
  };
  const signed = `${prefix}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const key = derivedSigningKey(masterKey, paymentRequestKeyLabel);
  return `${signed}.${sign(null, Buffer.from(signed), key.privateKey).toString('base64url')}`;
}

/**
 * The fields of a token this server signed, or a refusal: `AMP_PAYMENT_REQUEST_INVALID` for
 * anything malformed, altered or signed by another key; `AMP_PAYMENT_REQUEST_EXPIRED` past its
 * expiry. Whether it was already paid is the database's to say (`merchantPayer`).
 */
export function readPaymentRequestToken(
  masterKey: Buffer,
  token: string,
  now: Date,
): PaymentRequestFields {
  const text = token.trim();
  if (text.length > limits.merchants.requestTokenCharactersMax) throw invalid('too long');
  const parts = text.split('.');
  if (parts.length !== 3 || parts[0] !== prefix) throw invalid('not a payment request');
  const [, body = '', signature = ''] = parts;
  const key = derivedSigningKey(masterKey, paymentRequestKeyLabel);
  const signed = Buffer.from(`${prefix}.${body}`);
  if (!verify(null, signed, key.publicKey, Buffer.from(signature, 'base64url'))) {
    throw invalid('the signature does not match');
  }
  const payload = parsePayload(body);
  const expiresAt = new Date(payload.e * 1000);
  if (now.getTime() >= expiresAt.getTime()) {
    throw new PaymentsError(
      'AMP_PAYMENT_REQUEST_EXPIRED',
      `The payment request expired at ${expiresAt.toISOString()}`,
    );
  }
  return {
    requestId: payload.i,
    merchantId: payload.m,
    merchantName: payload.n,
    amountMinor: BigInt(payload.a),
    currency: payload.c === 'USD' ? 'USD' : 'VES',
    reference: payload.r,
    programId: payload.p,
    expiresAt,
  };
}

function parsePayload(body: string): Payload {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw invalid('unreadable');
  }
  // A signed payload is one this server wrote; the checks below guard against a key mix-up.
  const payload = value as Partial<Payload>;
  const text = (field: unknown) => typeof field === 'string';
  if (
    !text(payload.i) ||
    !text(payload.m) ||
    !text(payload.n) ||
    !text(payload.r) ||
    typeof payload.a !== 'string' ||
    !/^[0-9]{1,19}$/.test(payload.a) ||
    (payload.c !== 'VES' && payload.c !== 'USD') ||
    !(payload.p === null || text(payload.p)) ||
    typeof payload.e !== 'number'
  ) {
    throw invalid('incomplete');
  }
  return payload as Payload;
}

function invalid(why: string): PaymentsError {
  return new PaymentsError('AMP_PAYMENT_REQUEST_INVALID', `Not a valid payment request: ${why}`);
}
