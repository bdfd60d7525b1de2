import { type LeafHashSource, nodeHash } from './merkle/index.js';
import { largestPowerOfTwoBelow } from './merkle/tree-math.js';

const hashBytes = 32;

/**
 * Every perfect subtree hash of a growing tree, level by level, in memory: level 0 holds the
 * leaf hashes, level h the roots of aligned subtrees of 2^h leaves. Appending a leaf costs the
 * same merges as a compact frontier (n − 1 node hashes in all), and afterwards the hash of any
 * range a proof needs is a lookup or O(log n) hashes, so a proof costs O(log² n) instead of
 * re-hashing leaves. Memory: about 64 bytes per leaf (twice the leaf hashes).
 *
 * @example
 * const levels = new MerkleLevels();
 * for (const hash of leafHashes) levels.append(hash);
 * levels.root(levels.size); // equals rootFromLeafHashes(leafHashes)
 * await generateConsistencyProof(levels, 1000, 2000);
 */
export class MerkleLevels implements LeafHashSource {
  readonly #levels: { bytes: Uint8Array; count: number }[] = [];

  get size(): number {
    return this.#levels[0]?.count ?? 0;
  }

  append(leafHash: Uint8Array): void {
    let hash = leafHash;
    for (let height = 0; ; height++) {
      const count = this.#push(height, hash);
      if (count % 2 === 1) return;
      hash = nodeHash(this.#at(height, count - 2), hash);
    }
  }

  /** MTH of the first `size` leaves, by the RFC's split with stored subtrees. */
  root(size: number): Uint8Array {
    return this.#hash(0, size);
  }

  async getLeafHashes(start: number, end: number): Promise<readonly Uint8Array[]> {
    this.#assertRange(start, end);
    const hashes: Uint8Array[] = [];
    for (let i = start; i < end; i++) hashes.push(this.#at(0, i));
    return hashes;
  }

  async subtreeHash(start: number, end: number): Promise<Uint8Array> {
    this.#assertRange(start, end);
    return this.#hash(start, end);
  }

  #hash(start: number, end: number): Uint8Array {
    const count = end - start;
    if (count < 1) throw new RangeError(`empty range [${start}, ${end})`);
    let height = 0;
    while (2 ** (height + 1) <= count) height++;
    const width = 2 ** height;
    // A whole aligned subtree is stored; otherwise split where the RFC splits.
    if (width === count && start % width === 0) return this.#at(height, start / width);
    const split = start + largestPowerOfTwoBelow(count);
    return nodeHash(this.#hash(start, split), this.#hash(split, end));
  }

  #assertRange(start: number, end: number): void {
    if (
      !Number.isSafeInteger(start) ||
      !Number.isSafeInteger(end) ||
      start < 0 ||
      end > this.size ||
      start >= end
    ) {
      throw new RangeError(`range [${start}, ${end}) outside 0..${this.size}`);
    }
  }

  #at(height: number, index: number): Uint8Array {
    const level = this.#levels[height]!;
    return level.bytes.subarray(index * hashBytes, (index + 1) * hashBytes);
  }

  /** Appends to a level, growing it by doubling; returns the level's new count. */
  #push(height: number, hash: Uint8Array): number {
    let level = this.#levels[height];
    if (level === undefined) {
      level = { bytes: new Uint8Array(64 * hashBytes), count: 0 };
      this.#levels.push(level);
    }
    if ((level.count + 1) * hashBytes > level.bytes.length) {
      const grown = new Uint8Array(level.bytes.length * 2);
      grown.set(level.bytes);
      level.bytes = grown;
    }
    level.bytes.set(hash, level.count * hashBytes);
    level.count += 1;
    return level.count;
  }
}
