import { assertHashLength, emptyRootHash, newNodeScratch, nodeHashOfScratch } from './hash.js';
import { hashLengthBytes } from './limits.js';

/**
 * Merkle Tree Hash (RFC 9162 §2.1.1) of a list of leaf hashes.
 *
 * The RFC defines MTH recursively, splitting at the largest power of two below n. Hashing level
 * by level — pair neighbours, carry an unpaired last node up unchanged — yields exactly the same
 * tree, needs no recursion, and lets one contiguous buffer be overwritten in place, so a million
 * leaves cost one 32 MB allocation and a million small hash calls.
 *
 * @example
 * rootFromLeafHashes([]);                       // emptyRootHash()
 * rootFromLeafHashes([leafHash(a)]);            // leafHash(a)
 * rootFromLeafHashes([leafHash(a), leafHash(b)]); // nodeHash(leafHash(a), leafHash(b))
 */
export function rootFromLeafHashes(leafHashes: readonly Uint8Array[]): Uint8Array {
  const count = leafHashes.length;
  if (count === 0) return emptyRootHash();
  const level = new Uint8Array(count * hashLengthBytes);
  for (let i = 0; i < count; i++) {
    const leaf = leafHashes[i]!;
    assertHashLength(leaf, `leaf hash ${i}`);
    level.set(leaf, i * hashLengthBytes);
  }
  return rootOfPackedLevel(level, count);
}

/**
 * Same as {@link rootFromLeafHashes} over `count` hashes packed back to back in `packed`.
 * The buffer is overwritten: callers that stream rows into one buffer avoid a second copy.
 */
export function rootOfPackedLevel(packed: Uint8Array, count: number): Uint8Array {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`count must be a non-negative integer, got ${count}`);
  }
  if (packed.length < count * hashLengthBytes) {
    throw new RangeError(`packed buffer holds fewer than ${count} hashes`);
  }
  if (count === 0) return emptyRootHash();
  const scratch = newNodeScratch();
  const pairBytes = 2 * hashLengthBytes;
  let width = count;
  while (width > 1) {
    const pairs = Math.floor(width / 2);
    for (let i = 0; i < pairs; i++) {
      scratch.set(packed.subarray(i * pairBytes, (i + 1) * pairBytes), 1);
      packed.set(nodeHashOfScratch(scratch), i * hashLengthBytes);
    }
    if (width % 2 === 1) {
      // The unpaired right-most node moves up one level unchanged (RFC 9162's split rule).
      packed.copyWithin(
        pairs * hashLengthBytes,
        (width - 1) * hashLengthBytes,
        width * hashLengthBytes,
      );
    }
    width = pairs + (width % 2);
  }
  return packed.slice(0, hashLengthBytes);
}
