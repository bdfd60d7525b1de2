import { assertHashLength, emptyRootHash, nodeHash } from './hash.js';
import { assertTreeSize, countOneBits } from './tree-math.js';

/**
 * Serialisable state of a {@link MerkleFrontier}: the tree size and the roots of its perfect
 * subtrees, largest (left-most) first, as lower-case hex. A tree of size n has exactly one
 * perfect subtree per 1 bit of n, so the list has popcount(n) entries — at most 53.
 *
 * @example
 * { size: 6, subtreeRootsHex: ['<root of leaves 0..3>', '<root of leaves 4..5>'] }
 */
export interface FrontierState {
  readonly size: number;
  readonly subtreeRootsHex: readonly string[];
}

const hexHashPattern = /^[0-9a-f]{64}$/;

/**
 * Incremental Merkle tree ("compact range" of perfect subtree roots). The audit appender keeps
 * one, appends each new leaf hash in O(log n) (O(1) on average) and reads the root for the signed
 * tree head in O(log n), without re-reading the log. Its state can be stored and resumed.
 *
 * @example
 * const frontier = new MerkleFrontier();
 * frontier.append(leafHash(entry));
 * const head = frontier.root(); // equals rootFromLeafHashes(all leaf hashes so far)
 * const saved = frontier.toState(); // later: MerkleFrontier.fromState(saved)
 */
export class MerkleFrontier {
  #size = 0;
  // Perfect subtree roots, left-most (largest) first; heights follow the 1 bits of #size.
  readonly #subtreeRoots: Uint8Array[] = [];

  /** Rebuilds a frontier from {@link FrontierState}, refusing a state that cannot be real. */
  static fromState(state: FrontierState): MerkleFrontier {
    assertTreeSize(state.size);
    const expectedCount = countOneBits(state.size);
    if (state.subtreeRootsHex.length !== expectedCount) {
      throw new RangeError(
        `frontier of size ${state.size} needs ${expectedCount} subtree roots, got ${state.subtreeRootsHex.length}`,
      );
    }
    const frontier = new MerkleFrontier();
    for (const hex of state.subtreeRootsHex) {
      if (!hexHashPattern.test(hex)) throw new RangeError('subtree root must be 64 lower-case hex');
      frontier.#subtreeRoots.push(Uint8Array.from(Buffer.from(hex, 'hex')));
    }
    frontier.#size = state.size;
    return frontier;
  }

  /** Number of leaves appended so far. */
  get size(): number {
    return this.#size;
  }

  /** Appends one leaf hash (not the entry: call `leafHash(entry)` first). */
  append(leaf: Uint8Array): void {
    assertHashLength(leaf, 'leaf hash');
    assertTreeSize(this.#size + 1);
    let merged: Uint8Array = Uint8Array.from(leaf);
    // Every trailing 1 bit of the old size is a perfect subtree of the new leaf's height that
    // now has a right sibling; merge them, exactly like a binary counter carries.
    let carry = this.#size;
    while (carry % 2 === 1) {
      const left = this.#subtreeRoots.pop();
      if (left === undefined) throw new Error('frontier corrupted: missing subtree root');
      merged = nodeHash(left, merged);
      carry = Math.floor(carry / 2);
    }
    this.#subtreeRoots.push(merged);
    this.#size += 1;
  }

  /** Merkle Tree Hash of the leaves appended so far (RFC 9162 §2.1.1). */
  root(): Uint8Array {
    const roots = this.#subtreeRoots;
    if (roots.length === 0) return emptyRootHash();
    let hash = roots[roots.length - 1]!;
    for (let i = roots.length - 2; i >= 0; i--) hash = nodeHash(roots[i]!, hash);
    return Uint8Array.from(hash);
  }

  /** A snapshot that {@link MerkleFrontier.fromState} turns back into an equal frontier. */
  toState(): FrontierState {
    return {
      size: this.#size,
      subtreeRootsHex: this.#subtreeRoots.map((root) => Buffer.from(root).toString('hex')),
    };
  }

  /** Copy of the perfect subtree roots, left-most first, each 32 bytes. */
  subtreeRoots(): Uint8Array[] {
    return this.#subtreeRoots.map((root) => Uint8Array.from(root));
  }
}
