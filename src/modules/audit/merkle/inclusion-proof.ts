import { hashesEqual, nodeHash } from './hash.js';
import { type LeafHashSource, subtreeHashFrom } from './leaf-hash-source.js';
import { hashLengthBytes, proofHashesMax } from './limits.js';
import { inclusionProofRanges } from './proof-ranges.js';
import { assertTreeSize } from './tree-math.js';

/**
 * Inclusion proof (RFC 9162 §2.1.3.1 PATH) of leaf `index` in the tree of the first `size`
 * leaves of `source`: the sibling subtree hashes from the leaf up to the root.
 *
 * @example
 * const proof = await generateInclusionProof(memoryLeafHashSource(hashes), 5, 8);
 * verifyInclusionProof({ index: 5, size: 8, leafHash: hashes[5], proof, root }); // true
 */
export async function generateInclusionProof(
  source: LeafHashSource,
  index: number,
  size: number,
): Promise<Uint8Array[]> {
  assertTreeSize(size);
  const ranges = inclusionProofRanges(index, size);
  const proof: Uint8Array[] = [];
  for (const range of ranges) proof.push(await subtreeHashFrom(source, range.start, range.end));
  return proof;
}

/** What a verifier needs to check that a leaf is in a tree with a known root. */
export interface InclusionClaim {
  readonly index: number;
  readonly size: number;
  readonly leafHash: Uint8Array;
  readonly proof: readonly Uint8Array[];
  readonly root: Uint8Array;
}

/**
 * Root implied by an inclusion proof (RFC 9162 §2.1.3.2 steps 1–4), or `undefined` when the
 * proof is malformed for this index and size (wrong length, bad hash size, index ≥ size).
 *
 * The index and size are walked with exact division instead of bit shifts so that logs larger
 * than 2^32 entries verify correctly.
 */
export function rootFromInclusionProof(
  claim: Omit<InclusionClaim, 'root'>,
): Uint8Array | undefined {
  const { index, size, leafHash, proof } = claim;
  if (!Number.isSafeInteger(size) || size < 1) return undefined;
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) return undefined;
  if (leafHash.length !== hashLengthBytes || proof.length > proofHashesMax) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0 || p.length !== hashLengthBytes) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      // Skip the levels where this node is the right-most of its row and has no sibling.
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : undefined;
}

/**
 * True when `proof` shows that `leafHash` is leaf `index` of the tree of `size` leaves with
 * `root` (RFC 9162 §2.1.3.2). Never throws on bad input: a malformed proof simply fails.
 */
export function verifyInclusionProof(claim: InclusionClaim): boolean {
  const computed = rootFromInclusionProof(claim);
  return computed !== undefined && hashesEqual(computed, claim.root);
}
