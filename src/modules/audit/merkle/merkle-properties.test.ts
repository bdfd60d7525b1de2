import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emptyRootHash,
  generateConsistencyProof,
  generateInclusionProof,
  leafHash,
  MerkleFrontier,
  memoryLeafHashSource,
  nodeHash,
  rootFromLeafHashes,
  verifyConsistencyProof,
  verifyInclusionProof,
} from './index.js';

/*
 * Reference definitions written directly from RFC 9162 §2.1 as recursion over slices: slow and
 * obviously faithful, they are the oracle for the iterative production code.
 */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
function referenceRoot(d: readonly Uint8Array[]): Uint8Array {
  if (d.length === 0) return emptyRootHash();
  if (d.length === 1) return d[0]!;
  const k = splitPoint(d.length);
  return nodeHash(referenceRoot(d.slice(0, k)), referenceRoot(d.slice(k)));
}
function referencePath(m: number, d: readonly Uint8Array[]): Uint8Array[] {
  if (d.length <= 1) return [];
  const k = splitPoint(d.length);
  if (m < k) return [...referencePath(m, d.slice(0, k)), referenceRoot(d.slice(k))];
  return [...referencePath(m - k, d.slice(k)), referenceRoot(d.slice(0, k))];
}
function referenceSubproof(m: number, d: readonly Uint8Array[], b: boolean): Uint8Array[] {
  if (m === d.length) return b ? [] : [referenceRoot(d)];
  const k = splitPoint(d.length);
  if (m <= k) return [...referenceSubproof(m, d.slice(0, k), b), referenceRoot(d.slice(k))];
  return [...referenceSubproof(m - k, d.slice(k), false), referenceRoot(d.slice(0, k))];
}

const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const leavesFor = (seed: number, n: number): Uint8Array[] =>
  Array.from({ length: n }, (_, i) => leafHash(new TextEncoder().encode(`${seed}:${i}`)));
const alterLeaf = (leaves: Uint8Array[], at: number): Uint8Array[] =>
  leaves.map((leaf, i) => (i === at ? leafHash(leaf) : leaf));

const treeArbitrary = fc.record({ seed: fc.nat(), size: fc.integer({ min: 1, max: 160 }) });

describe('Merkle tree properties', () => {
  it('batch root, incremental root and the RFC definition agree for every size', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 200 }), (seed, size) => {
        const leaves = leavesFor(seed, size);
        const expected = toHex(referenceRoot(leaves));
        expect(toHex(rootFromLeafHashes(leaves))).toBe(expected);
        const frontier = new MerkleFrontier();
        for (const leaf of leaves) frontier.append(leaf);
        expect(frontier.size).toBe(size);
        expect(toHex(frontier.root())).toBe(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('a frontier resumed from its JSON state continues exactly like the original', () => {
    fc.assert(
      fc.property(treeArbitrary, fc.nat(), ({ seed, size }, cut) => {
        const leaves = leavesFor(seed, size);
        const splitAt = cut % (size + 1);
        const first = new MerkleFrontier();
        for (const leaf of leaves.slice(0, splitAt)) first.append(leaf);
        const stored = JSON.parse(JSON.stringify(first.toState()));
        const resumed = MerkleFrontier.fromState(stored);
        for (const leaf of leaves.slice(splitAt)) resumed.append(leaf);
        expect(toHex(resumed.root())).toBe(toHex(referenceRoot(leaves)));
      }),
      { numRuns: 60 },
    );
  });

  it('every inclusion proof matches PATH, verifies, and fails for another index, leaf or root', async () => {
    await fc.assert(
      fc.asyncProperty(treeArbitrary, fc.nat(), fc.nat(), async ({ seed, size }, pick, other) => {
        const leaves = leavesFor(seed, size);
        const index = pick % size;
        const proof = await generateInclusionProof(memoryLeafHashSource(leaves), index, size);
        expect(proof.map(toHex)).toEqual(referencePath(index, leaves).map(toHex));
        const root = rootFromLeafHashes(leaves);
        const claim = { index, size, leafHash: leaves[index]!, proof, root };
        expect(verifyInclusionProof(claim)).toBe(true);
        const otherIndex = (index + 1 + (other % Math.max(1, size - 1))) % size;
        if (otherIndex !== index) {
          expect(verifyInclusionProof({ ...claim, index: otherIndex })).toBe(false);
          expect(verifyInclusionProof({ ...claim, leafHash: leaves[otherIndex]! })).toBe(false);
          const alteredRoot = rootFromLeafHashes(alterLeaf(leaves, otherIndex));
          expect(verifyInclusionProof({ ...claim, root: alteredRoot })).toBe(false);
        }
        expect(verifyInclusionProof({ ...claim, leafHash: leafHash(leaves[index]!) })).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('every consistency proof matches PROOF, verifies, and fails when old history is edited', async () => {
    await fc.assert(
      fc.asyncProperty(treeArbitrary, fc.nat(), fc.nat(), async ({ seed, size }, pick, at) => {
        const leaves = leavesFor(seed, size);
        const oldSize = pick % (size + 1);
        const proof = await generateConsistencyProof(memoryLeafHashSource(leaves), oldSize, size);
        const expected = oldSize === 0 ? [] : referenceSubproof(oldSize, leaves, true);
        expect(proof.map(toHex)).toEqual(expected.map(toHex));
        const oldRoot = rootFromLeafHashes(leaves.slice(0, oldSize));
        const newRoot = rootFromLeafHashes(leaves);
        const claim = { oldSize, newSize: size, oldRoot, newRoot, proof };
        expect(verifyConsistencyProof(claim)).toBe(true);
        if (oldSize === 0) return;
        // An operator rewrote leaf `edited` after the old head was published.
        const edited = at % oldSize;
        const rewritten = alterLeaf(leaves, edited);
        const forged = await generateConsistencyProof(
          memoryLeafHashSource(rewritten),
          oldSize,
          size,
        );
        const forgedRoot = rootFromLeafHashes(rewritten);
        expect(verifyConsistencyProof({ ...claim, newRoot: forgedRoot, proof: forged })).toBe(
          false,
        );
        const forgedOldRoot = rootFromLeafHashes(rewritten.slice(0, oldSize));
        expect(verifyConsistencyProof({ ...claim, oldRoot: forgedOldRoot })).toBe(false);
      }),
      { numRuns: 150 },
    );
  });
});

describe('consistency edge cases', () => {
  const leaves = leavesFor(7, 13);
  const source = memoryLeafHashSource(leaves);
  const rootOf = (size: number) => rootFromLeafHashes(leaves.slice(0, size));

  it('from the empty tree: no proof, and only the empty-tree hash is accepted as old root', async () => {
    expect(await generateConsistencyProof(source, 0, 13)).toEqual([]);
    const claim = {
      oldSize: 0,
      newSize: 13,
      oldRoot: emptyRootHash(),
      newRoot: rootOf(13),
      proof: [],
    };
    expect(verifyConsistencyProof(claim)).toBe(true);
    expect(verifyConsistencyProof({ ...claim, oldRoot: rootOf(1) })).toBe(false);
    expect(verifyConsistencyProof({ ...claim, proof: [emptyRootHash()] })).toBe(false);
  });

  it('to the same size: no proof, and the roots must be equal', async () => {
    expect(await generateConsistencyProof(source, 13, 13)).toEqual([]);
    const claim = { oldSize: 13, newSize: 13, oldRoot: rootOf(13), newRoot: rootOf(13), proof: [] };
    expect(verifyConsistencyProof(claim)).toBe(true);
    expect(verifyConsistencyProof({ ...claim, newRoot: rootOf(12) })).toBe(false);
    expect(verifyConsistencyProof({ ...claim, proof: [rootOf(13)] })).toBe(false);
  });

  it('from a power-of-two size the proof omits the old root, which the verifier supplies', async () => {
    const proof = await generateConsistencyProof(source, 8, 13);
    expect(proof.map(toHex)).toEqual([toHex(rootFromLeafHashes(leaves.slice(8, 13)))]);
    const claim = { oldSize: 8, newSize: 13, oldRoot: rootOf(8), newRoot: rootOf(13), proof };
    expect(verifyConsistencyProof(claim)).toBe(true);
    expect(verifyConsistencyProof({ ...claim, oldRoot: rootOf(7) })).toBe(false);
  });

  it('refuses a shrinking log and sizes that are not integers', async () => {
    await expect(generateConsistencyProof(source, 5, 4)).rejects.toThrow(RangeError);
    const claim = { oldSize: 5, newSize: 4, oldRoot: rootOf(5), newRoot: rootOf(4), proof: [] };
    expect(verifyConsistencyProof(claim)).toBe(false);
    expect(verifyConsistencyProof({ ...claim, oldSize: 2.5, newSize: 4 })).toBe(false);
  });
});
