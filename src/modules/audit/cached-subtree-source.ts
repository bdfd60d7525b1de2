import { type LeafHashSource, nodeHash, rootFromLeafHashes } from './merkle/index.js';
import { isPowerOfTwo, largestPowerOfTwoBelow } from './merkle/tree-math.js';

/** Reads leaf hashes [start, end) in order; must return exactly end − start of them. */
export type LeafHashReader = (start: number, end: number) => Promise<readonly Uint8Array[]>;

export interface CachedSubtreeSourceOptions {
  /** Leaves per cached block; a power of two. */
  blockLeaves?: number;
  /** Most leaves read by one call of the reader, so memory stays bounded. */
  readLeavesMax?: number;
  /** Most block hashes kept; the cache is emptied when it would grow past this. */
  cachedBlocksMax?: number;
}

/**
 * A {@link LeafHashSource} that computes subtree hashes from a leaf reader, remembering the
 * hash of every complete aligned block of `blockLeaves` leaves it has seen. Blocks never change
 * in an append-only log, so after the first proof (which reads every leaf once, in pages) a
 * proof for a tree of n leaves reads fewer than 2·blockLeaves·log2(n) leaf hashes and hashes
 * about n / blockLeaves block roots at most. Memory: 32 bytes per block (32 MB per 10^9 leaves
 * at the default 1,024).
 *
 * @example
 * const source = new CachedSubtreeSource((start, end) => readLeafHashes(db, start, end));
 * const proof = await generateInclusionProof(source, 5, 1_000_000);
 */
export class CachedSubtreeSource implements LeafHashSource {
  readonly #read: LeafHashReader;
  readonly #blockLeaves: number;
  readonly #readLeavesMax: number;
  readonly #cachedBlocksMax: number;
  readonly #blocks = new Map<number, Uint8Array>();

  constructor(read: LeafHashReader, options: CachedSubtreeSourceOptions = {}) {
    this.#read = read;
    this.#blockLeaves = options.blockLeaves ?? 1024;
    this.#readLeavesMax = options.readLeavesMax ?? 65_536;
    this.#cachedBlocksMax = options.cachedBlocksMax ?? 4_000_000;
    if (!isPowerOfTwo(this.#blockLeaves) || this.#readLeavesMax % this.#blockLeaves !== 0) {
      throw new RangeError('blockLeaves must be a power of two dividing readLeavesMax');
    }
  }

  async getLeafHashes(start: number, end: number): Promise<readonly Uint8Array[]> {
    const hashes = await this.#read(start, end);
    if (hashes.length !== end - start) {
      throw new RangeError(`leaves [${start}, ${end}) are not all present: got ${hashes.length}`);
    }
    return hashes;
  }

  /** MTH(D[start:end]) following RFC 9162 §2.1.1's split, using cached blocks where it can. */
  async subtreeHash(start: number, end: number): Promise<Uint8Array> {
    const count = end - start;
    if (count <= 0) throw new RangeError(`empty range [${start}, ${end})`);
    const blockLeaves = this.#blockLeaves;
    if (count >= blockLeaves && isPowerOfTwo(count) && start % blockLeaves === 0) {
      const blockHashes = await this.#blockHashes(start / blockLeaves, end / blockLeaves);
      // Equal-size perfect subtrees, a power of two of them: pairing them is the MTH.
      return rootFromLeafHashes(blockHashes);
    }
    if (count <= blockLeaves) return rootFromLeafHashes(await this.getLeafHashes(start, end));
    const split = start + largestPowerOfTwoBelow(count);
    return nodeHash(await this.subtreeHash(start, split), await this.subtreeHash(split, end));
  }

  async #blockHashes(firstBlock: number, endBlock: number): Promise<Uint8Array[]> {
    let missingFrom = firstBlock;
    while (missingFrom < endBlock && this.#blocks.has(missingFrom)) missingFrom += 1;
    let missingTo = endBlock;
    while (missingTo > missingFrom && this.#blocks.has(missingTo - 1)) missingTo -= 1;
    if (this.#blocks.size + (missingTo - missingFrom) > this.#cachedBlocksMax) {
      // Start afresh, refilling the whole range so no block this call needs is lost.
      this.#blocks.clear();
      missingFrom = firstBlock;
      missingTo = endBlock;
    }
    if (missingFrom < missingTo) await this.#fillBlocks(missingFrom, missingTo);
    const hashes: Uint8Array[] = [];
    for (let block = firstBlock; block < endBlock; block++) {
      const hash = this.#blocks.get(block);
      if (hash === undefined) throw new Error(`block ${block} vanished from the cache`);
      hashes.push(hash);
    }
    return hashes;
  }

  async #fillBlocks(firstBlock: number, endBlock: number): Promise<void> {
    const blockLeaves = this.#blockLeaves;
    const blocksPerRead = this.#readLeavesMax / blockLeaves;
    for (let block = firstBlock; block < endBlock; block += blocksPerRead) {
      const readEnd = Math.min(endBlock, block + blocksPerRead);
      const leaves = await this.getLeafHashes(block * blockLeaves, readEnd * blockLeaves);
      for (let b = block; b < readEnd; b++) {
        const offset = (b - block) * blockLeaves;
        this.#blocks.set(b, rootFromLeafHashes(leaves.slice(offset, offset + blockLeaves)));
      }
    }
  }
}
