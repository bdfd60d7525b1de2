import { describe, expect, it } from 'vitest';
import {
  generateConsistencyProof,
  generateInclusionProof,
  type LeafHashSource,
  leafHash,
  MerkleFrontier,
  nodeHash,
  rootFromLeafHashes,
  verifyConsistencyProof,
  verifyInclusionProof,
} from './index.js';

/*
 * JavaScript bit operators truncate to 32 bits, so an implementation using `>>` or `&` on
 * indices breaks silently once the audit log passes 2^32 entries. These tests use a tree of
 * 2^40 + 5 leaves whose subtree hashes are cheap to compute: the first 2^40 leaves are all the
 * same hash, the last five are distinct.
 */
const boundary = 2 ** 40;
const size = boundary + 5;
const repeatedLeaf = leafHash(new TextEncoder().encode('repeated'));
const tailLeaves = [0, 1, 2, 3, 4].map((i) => leafHash(new TextEncoder().encode(`tail ${i}`)));

/** Root of 2^height copies of the repeated leaf. */
function perfectRoot(height: number): Uint8Array {
  let hash = repeatedLeaf;
  for (let level = 0; level < height; level++) hash = nodeHash(hash, hash);
  return hash;
}

/** MTH of `count` copies of the repeated leaf, folding perfect subtrees right to left. */
function repeatedRoot(count: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let rest = count;
  for (let height = 52; height >= 0; height--) {
    if (rest >= 2 ** height) {
      parts.push(perfectRoot(height));
      rest -= 2 ** height;
    }
  }
  let hash = parts[parts.length - 1]!;
  for (let i = parts.length - 2; i >= 0; i--) hash = nodeHash(parts[i]!, hash);
  return hash;
}

const source: LeafHashSource = {
  getLeafHashes() {
    return Promise.reject(new Error('this test must only ask for subtree hashes'));
  },
  subtreeHash(start, end) {
    if (end <= boundary) return Promise.resolve(repeatedRoot(end - start));
    if (start < boundary) return Promise.reject(new Error(`range [${start}, ${end}) crosses`));
    return Promise.resolve(rootFromLeafHashes(tailLeaves.slice(start - boundary, end - boundary)));
  },
};

const rootOfSize = (n: number): Uint8Array =>
  n <= boundary
    ? repeatedRoot(n)
    : nodeHash(perfectRoot(40), rootFromLeafHashes(tailLeaves.slice(0, n - boundary)));

describe('trees beyond 2^32 leaves', () => {
  it('resumes a frontier of 2^40 + 5 leaves and appends to it', () => {
    const frontier = MerkleFrontier.fromState({
      size: boundary + 4,
      subtreeRootsHex: [perfectRoot(40), rootFromLeafHashes(tailLeaves.slice(0, 4))].map((h) =>
        Buffer.from(h).toString('hex'),
      ),
    });
    frontier.append(tailLeaves[4]!);
    expect(frontier.size).toBe(size);
    expect(Buffer.from(frontier.root()).equals(Buffer.from(rootOfSize(size)))).toBe(true);
  });

  it('proves inclusion of a leaf above 2^40 and rejects its 32-bit truncated index', async () => {
    const index = boundary + 3;
    const proof = await generateInclusionProof(source, index, size);
    const claim = { index, size, leafHash: tailLeaves[3]!, proof, root: rootOfSize(size) };
    expect(verifyInclusionProof(claim)).toBe(true);
    expect(verifyInclusionProof({ ...claim, index: 3 })).toBe(false);
    expect(verifyInclusionProof({ ...claim, index: index - 1 })).toBe(false);
    expect(verifyInclusionProof({ ...claim, size: size - 2 ** 32 })).toBe(false);
  });

  it('proves inclusion of a leaf deep in the left half', async () => {
    const index = 2 ** 39 + 7;
    const proof = await generateInclusionProof(source, index, size);
    expect(proof).toHaveLength(41);
    const claim = { index, size, leafHash: repeatedLeaf, proof, root: rootOfSize(size) };
    expect(verifyInclusionProof(claim)).toBe(true);
    expect(verifyInclusionProof({ ...claim, leafHash: tailLeaves[0]! })).toBe(false);
  });

  it.each([2 ** 35 + 3, boundary, boundary + 2])('proves consistency from %d', async (oldSize) => {
    const proof = await generateConsistencyProof(source, oldSize, size);
    const claim = {
      oldSize,
      newSize: size,
      oldRoot: rootOfSize(oldSize),
      newRoot: rootOfSize(size),
    };
    expect(verifyConsistencyProof({ ...claim, proof })).toBe(true);
    expect(verifyConsistencyProof({ ...claim, proof, oldSize: oldSize - 2 ** 32 })).toBe(false);
  });
});
