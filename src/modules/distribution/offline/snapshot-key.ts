import { type KeyObject, sign, verify } from 'node:crypto';
import { derivedSigningKey } from '../../../platform/crypto/derived-signing-key.js';
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

export function snapshotKeyFrom(masterKey: Buffer): SnapshotKey {
  const { privateKey, publicKey, rawPublicKey } = derivedSigningKey(
    masterKey,
    'amparo point snapshot signing v1',
  );
  return {
    privateKey,
    publicKey,
    kid: kidOf(publicKey),
    publicKeyHex: rawPublicKey.toString('hex'),
  };
}

export function signSnapshotBytes(key: SnapshotKey, bytes: Buffer): string {
  return sign(null, bytes, key.privateKey).toString('base64url');
}

export function snapshotSignatureHolds(key: SnapshotKey, bytes: Buffer, value: string): boolean {
  return verify(null, bytes, key.publicKey, Buffer.from(value, 'base64url'));
}
