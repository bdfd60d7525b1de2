import { rootFromLeafHashes } from './tree-hash.js';

/**
 * Where proof generators read the tree from. Today an in-memory array; later the audit
 * repository, which can serve `subtreeHash` from stored perfect-subtree hashes instead of
 * re-hashing leaves. Both methods take half-open leaf ranges [start, end).
 */
export interface LeafHashSource {
  /** Leaf hashes of indices start … end − 1, in order. */
  getLeafHashes(start: number, end: number): Promise<readonly Uint8Array[]>;
  /** Optional shortcut: MTH(D[start:end]) without reading every leaf. */
  subtreeHash?(start: number, end: number): Promise<Uint8Array>;
}

/**
 * Merkle Tree Hash of leaves [start, end) from a source, preferring its `subtreeHash`.
 *
 * @example
 * await subtreeHashFrom(memoryLeafHashSource(hashes), 4, 6); // nodeHash(hashes[4], hashes[5])
 */
export async function subtreeHashFrom(
  source: LeafHashSource,
  start: number,
  end: number,
): Promise<Uint8Array> {
  if (source.subtreeHash !== undefined) return source.subtreeHash(start, end);
  const leaves = await source.getLeafHashes(start, end);
  if (leaves.length !== end - start) {
    throw new RangeError(`source returned ${leaves.length} leaf hashes for [${start}, ${end})`);
  }
  return rootFromLeafHashes(leaves);
}

/**
 * A {@link LeafHashSource} over an array held in memory (tests, small logs, the verifier).
 *
 * @example
 * const source = memoryLeafHashSource(entries.map(leafHash));
 */
export function memoryLeafHashSource(leafHashes: readonly Uint8Array[]): LeafHashSource {
  return {
    getLeafHashes(start, end) {
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) {
        return Promise.reject(new RangeError('range bounds must be integers'));
      }
      if (start < 0 || end < start || end > leafHashes.length) {
        return Promise.reject(
          new RangeError(`range [${start}, ${end}) outside 0..${leafHashes.length}`),
        );
      }
      return Promise.resolve(leafHashes.slice(start, end));
    },
  };
}
