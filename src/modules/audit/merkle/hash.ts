import { hash } from 'node:crypto';
import { hashLengthBytes } from './limits.js';

/**
 * RFC 6962 §2.1 / RFC 9162 §2.1.1 hashing. The one-byte prefixes separate leaves from interior
 * nodes, so that a leaf can never be passed off as an interior node (second-preimage attack).
 *
 * `crypto.hash` (one-shot) is used instead of `createHash().update().digest()` because it costs
 * about a third less per call, and per-call overhead dominates when hashing 32-byte nodes.
 */

const leafPrefix = 0x00;
const nodePrefix = 0x01;

const leafScratch = new Uint8Array(4096);
const nodeScratch = newNodeScratch();

const emptyRoot = hash('sha256', new Uint8Array(0), 'buffer');

/**
 * SHA-256 of the empty string: the Merkle Tree Hash of a tree with no leaves. A fresh copy on
 * every call, because a typed array cannot be frozen and one caller mutating a shared constant
 * would silently break every later verification.
 *
 * @example
 * emptyRootHash(); // e3b0c442…7852b855
 */
export function emptyRootHash(): Uint8Array {
  return Uint8Array.from(emptyRoot);
}

/**
 * Hash of one log entry: SHA-256(0x00 ‖ entry).
 *
 * @example
 * leafHash(new Uint8Array(0)); // 6e340b9c…afa01d (RFC 6962 test vector)
 */
export function leafHash(entry: Uint8Array): Uint8Array {
  // Reusing one input buffer saves an allocation per entry; safe because hashing is
  // synchronous. Entries larger than the buffer (rare) get their own.
  const input = entry.length < leafScratch.length ? leafScratch : new Uint8Array(entry.length + 1);
  input[0] = leafPrefix;
  input.set(entry, 1);
  return hash('sha256', input.subarray(0, entry.length + 1), 'buffer');
}

/**
 * Hash of an interior node: SHA-256(0x01 ‖ left ‖ right).
 *
 * @example
 * nodeHash(leafHash(a), leafHash(b)); // root of the two-leaf tree [a, b]
 */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  assertHashLength(left);
  assertHashLength(right);
  nodeScratch.set(left, 1);
  nodeScratch.set(right, 1 + hashLengthBytes);
  return hash('sha256', nodeScratch, 'buffer');
}

/**
 * Hashes `0x01 ‖ scratch[1..65)` in place for the batch root computation: the caller has
 * already written both children into a reused 65-byte buffer whose first byte is 0x01.
 */
export function nodeHashOfScratch(scratch: Uint8Array): Uint8Array {
  return hash('sha256', scratch, 'buffer');
}

/** Allocates the reusable 65-byte input buffer for {@link nodeHashOfScratch}. */
export function newNodeScratch(): Uint8Array {
  const scratch = new Uint8Array(1 + 2 * hashLengthBytes);
  scratch[0] = nodePrefix;
  return scratch;
}

/** Constant-length comparison of two hashes; false for different lengths. */
export function hashesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

/** Throws when a value that must be a SHA-256 hash has another length. */
export function assertHashLength(value: Uint8Array, what = 'hash'): void {
  if (value.length !== hashLengthBytes) {
    throw new RangeError(`${what} must be ${hashLengthBytes} bytes, got ${value.length}`);
  }
}
