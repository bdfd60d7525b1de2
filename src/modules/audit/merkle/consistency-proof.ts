import { emptyRootHash, hashesEqual, nodeHash } from './hash.js';
import { type LeafHashSource, subtreeHashFrom } from './leaf-hash-source.js';
import { hashLengthBytes, proofHashesMax } from './limits.js';
import { consistencyProofRanges } from './proof-ranges.js';
import { assertTreeSize, isPowerOfTwo } from './tree-math.js';

/**
 * Consistency proof (RFC 9162 §2.1.4.1 PROOF) that the tree of the first `oldSize` leaves is a
 * prefix of the tree of the first `newSize` leaves of `source`. Empty when oldSize is 0 or equal
 * to newSize: there the roots alone decide.
 *
 * @example
 * const proof = await generateConsistencyProof(memoryLeafHashSource(hashes), 3, 7);
 * verifyConsistencyProof({ oldSize: 3, newSize: 7, oldRoot, newRoot, proof }); // true
 */
export async function generateConsistencyProof(
  source: LeafHashSource,
  oldSize: number,
  newSize: number,
): Promise<Uint8Array[]> {
  assertTreeSize(newSize, 'new size');
  const ranges = consistencyProofRanges(oldSize, newSize);
  const proof: Uint8Array[] = [];
  for (const range of ranges) proof.push(await subtreeHashFrom(source, range.start, range.end));
  return proof;
}

/** Two signed tree heads' sizes and roots, and the proof linking them. */
export interface ConsistencyClaim {
  readonly oldSize: number;
  readonly newSize: number;
  readonly oldRoot: Uint8Array;
  readonly newRoot: Uint8Array;
  readonly proof: readonly Uint8Array[];
}

/**
 * True when `proof` shows the tree (oldSize, oldRoot) is a prefix of (newSize, newRoot).
 * Follows RFC 9162 §2.1.4.2 for 0 < oldSize < newSize. The RFC leaves the edges to the caller;
 * here they are strict so a forged tree head cannot slip through them:
 * - oldSize = newSize: the proof must be empty and the roots equal;
 * - oldSize = 0: the proof must be empty and oldRoot must be the empty-tree hash;
 * - oldSize > newSize (history shrank): always false.
 * Never throws on bad input.
 */
export function verifyConsistencyProof(claim: ConsistencyClaim): boolean {
  const { oldSize, newSize, oldRoot, newRoot, proof } = claim;
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize)) return false;
  if (oldSize < 0 || oldSize > newSize || proof.length > proofHashesMax) return false;
  if (oldRoot.length !== hashLengthBytes || newRoot.length !== hashLengthBytes) return false;
  if (oldSize === 0) return proof.length === 0 && hashesEqual(oldRoot, emptyRootHash());
  if (oldSize === newSize) return proof.length === 0 && hashesEqual(oldRoot, newRoot);
  if (proof.some((element) => element.length !== hashLengthBytes)) return false;
  const roots = rootsFromConsistencyProof(oldSize, newSize, oldRoot, proof);
  return (
    roots !== undefined &&
    hashesEqual(roots.oldRoot, oldRoot) &&
    hashesEqual(roots.newRoot, newRoot)
  );
}

/** RFC 9162 §2.1.4.2 steps 1–7 for 0 < oldSize < newSize; undefined when the proof is malformed. */
function rootsFromConsistencyProof(
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  proof: readonly Uint8Array[],
): { oldRoot: Uint8Array; newRoot: Uint8Array } | undefined {
  if (proof.length === 0) return undefined;
  // When the old tree is a perfect subtree the prover omits its root: the verifier has it.
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : proof;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = fr;
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? { oldRoot: fr, newRoot: sr } : undefined;
}
