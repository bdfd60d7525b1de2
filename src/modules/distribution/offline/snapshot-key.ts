import {
  createPrivateKey,
  createPublicKey,
  hkdfSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { kidOf } from '../../../platform/crypto/key-store.js';

/**
 * The key that signs a point's offline snapshots: Ed25519 from the master key (HKDF, its own
 * label), as receipts are signed, so it needs no new key file. Its raw public key is published
 * at `GET /api/distribution/snapshot-key`; the point-of-service app keeps it with the snapshot
 * and checks every snapshot against it.
 *
 * @example
 *   const key = snapshotKeyFrom(masterKey);
 *   const signature = signSnapshotBytes(key, bytes);
 */
export interface SnapshotKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** First 8 bytes of SHA-256 of the raw public key, hex (as every Amparo key id). */
  kid: string;
  /** Raw public key (32 bytes), hex: what the browser verifies with. */
  publicKeyHex: string;
}

// PKCS #8 header of an Ed25519 private key (RFC 8410), followed by the 32-byte seed.
const ed25519Pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');

const keys = new WeakMap<Buffer, SnapshotKey>();

export function snapshotKeyFrom(masterKey: Buffer): SnapshotKey {
  const known = keys.get(masterKey);
  if (known) return known;
  const seed = Buffer.from(
    hkdfSync('sha256', masterKey, Buffer.alloc(0), 'amparo point snapshot signing v1', 32),
  );
  const privateKey = createPrivateKey({
    key: Buffer.concat([ed25519Pkcs8Prefix, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = createPublicKey(privateKey);
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const key = { privateKey, publicKey, kid: kidOf(publicKey), publicKeyHex: raw.toString('hex') };
  keys.set(masterKey, key);
  return key;
}

export function signSnapshotBytes(key: SnapshotKey, bytes: Buffer): string {
  return sign(null, bytes, key.privateKey).toString('base64url');
}

export function snapshotSignatureHolds(key: SnapshotKey, bytes: Buffer, value: string): boolean {
  return verify(null, bytes, key.publicKey, Buffer.from(value, 'base64url'));
}
