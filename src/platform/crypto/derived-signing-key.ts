import { createPrivateKey, createPublicKey, hkdfSync, type KeyObject } from 'node:crypto';

/**
 * An Ed25519 key pair derived from the master key (HKDF-SHA-256 with its own label), for
 * signatures that need no key file of their own: distribution receipts, point snapshots. The
 * same master key and label always give the same key; a different label, an unrelated one.
 *
 * @example
 *   const { privateKey, rawPublicKey } = derivedSigningKey(masterKey, 'amparo receipt signing v1');
 */
export interface DerivedSigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The raw public key (32 bytes). */
  rawPublicKey: Buffer;
}

// PKCS #8 header of an Ed25519 private key (RFC 8410), followed by the 32-byte seed.
const ed25519Pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');

const derived = new WeakMap<Buffer, Map<string, DerivedSigningKey>>();

export function derivedSigningKey(masterKey: Buffer, label: string): DerivedSigningKey {
  let byLabel = derived.get(masterKey);
  if (!byLabel) {
    byLabel = new Map();
    derived.set(masterKey, byLabel);
  }
  const known = byLabel.get(label);
  if (known) return known;
  const seed = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), label, 32));
  const privateKey = createPrivateKey({
    key: Buffer.concat([ed25519Pkcs8Prefix, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = createPublicKey(privateKey);
  const rawPublicKey = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const key = { privateKey, publicKey, rawPublicKey };
  byLabel.set(label, key);
  return key;
}
