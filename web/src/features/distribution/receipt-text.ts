import type { RedemptionAnswer } from '../../../../src/shared/api/distribution.js';
import { fromBase64Url } from '../verifier/trust-list-reader.js';

/**
 * Reads the signed receipt a person keeps after a hand-over (`AMPR1.<payload>.<signature>`,
 * src/modules/distribution/redemption/receipt.ts) in the browser: its Ed25519 signature must
 * verify with the receipt key the server publishes (`GET /api/distribution/receipt-key`). A
 * supervisor holding an entitlement learns from it which one, without the person's file: the
 * receipt names the entitlement by its opaque id, the program, the point and the time.
 *
 * @example
 *   const receipt = await readReceiptText(scannedText, (await receiptKey()).publicKey);
 *   receipt.entitlementId; // what the hold is placed on
 */
export type ReceiptContent = RedemptionAnswer['receipt'];

/** Why a text was not read as a receipt; the screen says it in the reader's language. */
export class ReceiptTextError extends Error {
  readonly reason: 'malformed' | 'bad_signature';
  constructor(reason: ReceiptTextError['reason']) {
    super(reason);
    this.reason = reason;
  }
}

/** A receipt's QR text is a few hundred characters; anything far longer is not one. */
const receiptTextCharactersMax = 4096;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function readReceiptText(
  text: string,
  publicKeyBase64: string,
): Promise<ReceiptContent> {
  const parts = text.trim().split('.');
  if (text.length > receiptTextCharactersMax || parts.length !== 3 || parts[0] !== 'AMPR1') {
    throw new ReceiptTextError('malformed');
  }
  let payload: Uint8Array<ArrayBuffer>;
  let signature: Uint8Array<ArrayBuffer>;
  let key: Uint8Array<ArrayBuffer>;
  try {
    payload = fromBase64Url(parts[1] ?? '');
    signature = fromBase64Url(parts[2] ?? '');
    key = fromBase64Url(publicKeyBase64);
  } catch {
    throw new ReceiptTextError('malformed');
  }
  if (!(await signatureHolds(key, signature, payload))) {
    throw new ReceiptTextError('bad_signature');
  }
  let receipt: unknown;
  try {
    receipt = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    throw new ReceiptTextError('malformed');
  }
  if (!isReceipt(receipt)) throw new ReceiptTextError('malformed');
  return receipt;
}

async function signatureHolds(
  key: Uint8Array<ArrayBuffer>,
  signature: Uint8Array<ArrayBuffer>,
  payload: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  try {
    const publicKey = await crypto.subtle.importKey('raw', key, { name: 'Ed25519' }, false, [
      'verify',
    ]);
    return await crypto.subtle.verify({ name: 'Ed25519' }, publicKey, signature, payload);
  } catch {
    return false;
  }
}

/** The fields the screen reads, checked although the server signed them (a later version). */
function isReceipt(value: unknown): value is ReceiptContent {
  if (typeof value !== 'object' || value === null) return false;
  const receipt = value as Record<string, unknown>; // Safe: only read, each field checked.
  return (
    receipt.v === 1 &&
    typeof receipt.entitlementId === 'string' &&
    uuidPattern.test(receipt.entitlementId) &&
    ['receiptId', 'pointCode', 'programCode', 'redeemedAt'].every(
      (name) => typeof receipt[name] === 'string',
    )
  );
}

/** An entitlement's id as typed, when it is one (the plain path, without a receipt). */
export function entitlementIdOf(text: string): string | null {
  const trimmed = text.trim();
  return uuidPattern.test(trimmed) ? trimmed.toLowerCase() : null;
}
