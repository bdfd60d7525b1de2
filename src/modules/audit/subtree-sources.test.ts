import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CachedSubtreeSource } from './cached-subtree-source.js';
import {
  generateConsistencyProof,
  generateInclusionProof,
  hashesEqual,
  leafHash,
  memoryLeafHashSource,
  rootFromLeafHashes,
} from './merkle/index.js';
import { MerkleLevels } from './merkle-levels.js';

const leaves = (count: number) =>
  Array.from({ length: count }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));

const sameHashes = (a: readonly Uint8Array[], b: readonly Uint8Array[]) =>
  a.length === b.length && a.every((hash, i) => hashesEqual(hash, b[i]!));

/** Both faster sources must give exactly the proofs the plain in-memory source gives. */
describe('MerkleLevels and CachedSubtreeSource', () => {
  it('match the reference root and proofs for every size and index', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 300 }), fc.nat(), fc.nat(), async (size, a, b) => {
        const hashes = leaves(size);
        const reference = memoryLeafHashSource(hashes);
        const levels = new MerkleLevels();
        for (const hash of hashes) levels.append(hash);
        let reads = 0;
        const cached = new CachedSubtreeSource(
          async (start, end) => {
            reads += end - start;
            return hashes.slice(start, end);
          },
          { blockLeaves: 8, readLeavesMax: 32 },
        );
        const index = a % size;
        const oldSize = b % (size + 1);
        expect(hashesEqual(levels.root(size), rootFromLeafHashes(hashes))).toBe(true);
        const inclusion = await generateInclusionProof(reference, index, size);
        expect(sameHashes(await generateInclusionProof(levels, index, size), inclusion)).toBe(true);
        expect(sameHashes(await generateInclusionProof(cached, index, size), inclusion)).toBe(true);
        const consistency = await generateConsistencyProof(reference, oldSize, size);
        expect(sameHashes(await generateConsistencyProof(levels, oldSize, size), consistency)).toBe(
          true,
        );
        expect(sameHashes(await generateConsistencyProof(cached, oldSize, size), consistency)).toBe(
          true,
        );
        // The second proof comes from cached blocks: it reads far fewer leaves than the tree holds.
        const before = reads;
        await generateInclusionProof(cached, index, size);
        expect(reads - before).toBeLessThanOrEqual(
          Math.min(size, 2 * 8 * Math.ceil(Math.log2(size + 1))),
        );
      }),
      { numRuns: 150 },
    );
  });

  it('refuses ranges outside the tree', async () => {
    const levels = new MerkleLevels();
    for (const hash of leaves(5)) levels.append(hash);
    await expect(levels.subtreeHash(3, 6)).rejects.toThrow(RangeError);
    const cached = new CachedSubtreeSource(async (start, end) => leaves(5).slice(start, end));
    await expect(cached.subtreeHash(0, 9)).rejects.toThrow(/not all present/);
  });
});
