import { type KeyObject, sign, verify } from 'node:crypto';
import { derivedSigningKey } from '../../../platform/crypto/derived-signing-key.js';

/**
 * The signed receipt a person keeps after a redemption: printable, and as QR text
 * (`AMPR1.<payload>.<signature>`, base64url). It says where, when, which program and what was
 * handed over and what remains — nothing about the person but the entitlement's opaque id.
 * Signed with Ed25519 by a key derived from the master key (HKDF, its own label), so it needs
 * no new key file; its public key is published at `GET /api/distribution/receipt-key`.
 *
 * @example
 *   const signed = signReceipt(receiptKeyFrom(masterKey), receipt);
 *   verifyReceipt(receiptKeyFrom(masterKey).publicKey, signed.qrText); // the receipt
 */
export interface Receipt {
  v: 1;
  receiptId: string;
  pointCode: string;
  programCode: string;
  entitlementId: string;
  mode: 'card' | 'assisted';
  redeemedAt: string;
  lines: { item: string; unit: string; quantity: number; remainingAfter: number }[];
}

export interface SignedReceipt {
  receipt: Receipt;
  signature: string;
  qrText: string;
}

export interface ReceiptKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Raw public key, base64url. */
  publicKeyBase64: string;
}

export function receiptKeyFrom(masterKey: Buffer): ReceiptKey {
  const { privateKey, publicKey, rawPublicKey } = derivedSigningKey(
    masterKey,
    'amparo receipt signing v1',
  );
  return { privateKey, publicKey, publicKeyBase64: rawPublicKey.toString('base64url') };
}

function canonical(receipt: Receipt): Buffer {
  const sorted = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sorted);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([name, item]) => [name, sorted(item)]),
      );
    }
    return value;
  };
  return Buffer.from(JSON.stringify(sorted(receipt)), 'utf8');
}

export function signReceipt(key: ReceiptKey, receipt: Receipt): SignedReceipt {
  const payload = canonical(receipt);
  const signature = sign(null, payload, key.privateKey).toString('base64url');
  return { receipt, signature, qrText: `AMPR1.${payload.toString('base64url')}.${signature}` };
}

/**
 * `signReceipt` on libuv's thread pool (node:crypto's callback form; Ed25519 is deterministic,
 * so the signature is the same), for a batch whose receipts are signed while its other rows are
 * written.
 */
export function signReceiptOffThread(key: ReceiptKey, receipt: Receipt): Promise<SignedReceipt> {
  const payload = canonical(receipt);
  return new Promise((resolve, reject) => {
    sign(null, payload, key.privateKey, (error, bytes) => {
      if (error !== null) {
        reject(error);
        return;
      }
      const signature = bytes.toString('base64url');
      resolve({
        receipt,
        signature,
        qrText: `AMPR1.${payload.toString('base64url')}.${signature}`,
      });
    });
  });
}

/** The receipt in QR text if its signature holds, else undefined. */
export function verifyReceipt(publicKey: KeyObject, qrText: string): Receipt | undefined {
  const [prefix, payload, signature, ...rest] = qrText.split('.');
  if (prefix !== 'AMPR1' || payload === undefined || signature === undefined || rest.length > 0) {
    return undefined;
  }
  const bytes = Buffer.from(payload, 'base64url');
  if (!verify(null, bytes, publicKey, Buffer.from(signature, 'base64url'))) return undefined;
  // Safe: the bytes are exactly what signReceipt signed, a Receipt in canonical JSON.
  return JSON.parse(bytes.toString('utf8')) as Receipt;
}
