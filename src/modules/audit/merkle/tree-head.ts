import { createHash, type KeyObject, sign, verify } from 'node:crypto';
import { assertHashLength } from './hash.js';
import { treeHeadKeyIdLengthMax } from './limits.js';
import { assertTreeSize } from './tree-math.js';

/** A tree head before signing: the log's size and root at a moment, and which key signs it. */
export interface TreeHead {
  readonly size: number;
  readonly rootHash: Uint8Array;
  readonly timestampMs: number;
  readonly keyId: string;
}

/** A tree head with its Ed25519 signature over {@link treeHeadBytes}. */
export interface SignedTreeHead extends TreeHead {
  readonly signature: Uint8Array;
}

/*
 * The signed bytes start with a fixed ASCII tag so that a signature over a tree head can never
 * be replayed as a signature over another kind of message made with the same key (a credential,
 * a receipt). All integers are fixed-width big-endian, and the only variable field (key id)
 * is length-prefixed and last, so the encoding is canonical: one head, one byte string.
 */
const domainTag = new TextEncoder().encode('amparo/audit-tree-head/v1\n');
const keyIdPattern = /^[A-Za-z0-9._:-]+$/;
const ed25519SignatureBytes = 64;

/**
 * Canonical bytes of a tree head: tag ‖ u64 size ‖ u64 timestampMs ‖ 32-byte root ‖ u8 len ‖ keyId.
 *
 * @example
 * treeHeadBytes({ size: 8, rootHash, timestampMs: Date.now(), keyId: keyIdOf(publicKey) });
 */
export function treeHeadBytes(head: TreeHead): Uint8Array {
  assertTreeSize(head.size);
  assertHashLength(head.rootHash, 'root hash');
  if (!Number.isSafeInteger(head.timestampMs) || head.timestampMs < 0) {
    throw new RangeError(`timestampMs must be a non-negative integer, got ${head.timestampMs}`);
  }
  const keyId = head.keyId;
  if (keyId.length === 0 || keyId.length > treeHeadKeyIdLengthMax || !keyIdPattern.test(keyId)) {
    throw new RangeError(`keyId must be 1..${treeHeadKeyIdLengthMax} of [A-Za-z0-9._:-]`);
  }
  const bytes = new Uint8Array(domainTag.length + 8 + 8 + 32 + 1 + keyId.length);
  const view = new DataView(bytes.buffer);
  let offset = 0;
  bytes.set(domainTag, offset);
  offset += domainTag.length;
  view.setBigUint64(offset, BigInt(head.size));
  offset += 8;
  view.setBigUint64(offset, BigInt(head.timestampMs));
  offset += 8;
  bytes.set(head.rootHash, offset);
  offset += 32;
  bytes[offset] = keyId.length;
  bytes.set(new TextEncoder().encode(keyId), offset + 1);
  return bytes;
}

/**
 * Signs a tree head with an Ed25519 private key supplied by the caller (kept outside the
 * database; this module never stores keys).
 *
 * @example
 * const sth = signTreeHead({ size, rootHash, timestampMs: Date.now(), keyId }, privateKey);
 */
export function signTreeHead(head: TreeHead, privateKey: KeyObject): SignedTreeHead {
  assertEd25519(privateKey, 'private');
  const signature = sign(null, treeHeadBytes(head), privateKey);
  return { ...head, rootHash: Uint8Array.from(head.rootHash), signature };
}

/**
 * True when `signed.signature` is a valid Ed25519 signature by `publicKey` over the head.
 * A malformed head or signature yields false; a key of the wrong type is a programming error
 * and throws.
 */
export function verifyTreeHead(signed: SignedTreeHead, publicKey: KeyObject): boolean {
  assertEd25519(publicKey, 'public');
  if (signed.signature.length !== ed25519SignatureBytes) return false;
  let message: Uint8Array;
  try {
    message = treeHeadBytes(signed);
  } catch {
    return false;
  }
  return verify(null, message, publicKey, signed.signature);
}

/**
 * Key id for a public key: hex SHA-256 of its SubjectPublicKeyInfo DER, as RFC 6962 names logs.
 *
 * @example
 * keyIdOf(generateKeyPairSync('ed25519').publicKey); // 64 hex characters
 */
export function keyIdOf(publicKey: KeyObject): string {
  assertEd25519(publicKey, 'public');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return createHash('sha256').update(der).digest('hex');
}

function assertEd25519(key: KeyObject, expectedType: 'public' | 'private'): void {
  if (key.type !== expectedType || key.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(`expected an Ed25519 ${expectedType} key`);
  }
}
