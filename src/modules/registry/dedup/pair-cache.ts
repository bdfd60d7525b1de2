/**
 * A cache from a pair of small non-negative integers (value ids) to a small level, in flat
 * typed arrays with open addressing. A batch run asks it tens of millions of times; nested
 * Maps cost a hash of a boxed key, an allocation per inner map and garbage collection, this
 * costs one multiply and a probe or two. When it is 3/4 full it empties itself: the cache
 * is only a shortcut, so forgetting costs recomputation, never a wrong answer.
 *
 * @example
 * const cache = new PairCache(1 << 20);
 * cache.get(3, 9) // -1: not known
 * cache.set(3, 9, 2);
 * cache.get(3, 9) // 2
 */
export class PairCache {
  private readonly mask: number;
  private readonly first: Int32Array;
  private readonly second: Int32Array;
  /** Level + 1; 0 marks an empty slot. */
  private readonly levels: Uint8Array;
  private readonly entriesMax: number;
  private entries = 0;

  /** `slots` is rounded up to a power of two. */
  constructor(slots: number) {
    let size = 1024;
    while (size < slots) size *= 2;
    this.mask = size - 1;
    this.first = new Int32Array(size);
    this.second = new Int32Array(size);
    this.levels = new Uint8Array(size);
    this.entriesMax = Math.floor(size * 0.75);
  }

  /** The cached level of (a, b), or -1. */
  get(a: number, b: number): number {
    let slot = slotOf(a, b, this.mask);
    for (;;) {
      const level = this.levels[slot] ?? 0;
      if (level === 0) return -1;
      if (this.first[slot] === a && this.second[slot] === b) return level - 1;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Caches a level from 0 to 254 for (a, b). */
  set(a: number, b: number, level: number): void {
    if (this.entries >= this.entriesMax) {
      this.levels.fill(0);
      this.entries = 0;
    }
    let slot = slotOf(a, b, this.mask);
    while ((this.levels[slot] ?? 0) !== 0) {
      if (this.first[slot] === a && this.second[slot] === b) break;
      slot = (slot + 1) & this.mask;
    }
    if ((this.levels[slot] ?? 0) === 0) this.entries += 1;
    this.first[slot] = a;
    this.second[slot] = b;
    this.levels[slot] = level + 1;
  }
}

function slotOf(a: number, b: number, mask: number): number {
  return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b)) & mask;
}
