import {
  createPrivateKey,
  createPublicKey,
  hkdfSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';

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

// PKCS #8 header of an Ed25519 private key (RFC 8410), followed by the 32-byte seed.
const ed25519Pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');

const keys = new WeakMap<Buffer, ReceiptKey>();

export function receiptKeyFrom(masterKey: Buffer): ReceiptKey {
  const known = keys.get(masterKey);
  if (known) return known;
  const seed = Buffer.from(
    hkdfSync('sha256', masterKey, Buffer.alloc(0), 'amparo receipt signing v1', 32),
  );
  const privateKey = createPrivateKey({
    key: Buffer.concat([ed25519Pkcs8Prefix, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: 'jwk' });
  const key = { privateKey, publicKey, publicKeyBase64: String(jwk.x) };
  keys.set(masterKey, key);
  return key;
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
