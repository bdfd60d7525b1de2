import type { Prng } from './prng.js';

/**
 * Draws items with given relative weights in O(log n) by binary search over cumulative
 * weights. Built once at start-up, sampled millions of times.
 *
 * @example
 * const sizes = new WeightedTable([1, 2, 3], [0.2, 0.5, 0.3]);
 * sizes.sample(prng); // 2 about half of the time
 */
export class WeightedTable<T> {
  private readonly items: readonly T[];
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(items: readonly T[], weights: readonly number[]) {
    if (items.length === 0 || items.length !== weights.length) {
      throw new Error('WeightedTable: need as many weights as items, and at least one item');
    }
    this.items = items;
    this.cumulative = new Float64Array(items.length);
    let running = 0;
    weights.forEach((weight, index) => {
      if (!(weight >= 0)) throw new Error(`WeightedTable: weight ${weight} is not >= 0`);
      running += weight;
      this.cumulative[index] = running;
    });
    if (running <= 0) throw new Error('WeightedTable: weights sum to zero');
    this.total = running;
  }

  /** Number of items in the table. */
  get size(): number {
    return this.items.length;
  }

  /** One item, drawn with probability proportional to its weight. */
  sample(prng: Prng): T {
    const target = prng.float() * this.total;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      // noUncheckedIndexedAccess: middle is always inside the typed array.
      if ((this.cumulative[middle] ?? 0) > target) high = middle;
      else low = middle + 1;
    }
    const item = this.items[low];
    if (item === undefined) throw new Error('WeightedTable: index out of range');
    return item;
  }
}

/**
 * Zipf-like weights for ranks 1..count: weight(rank) = 1 / (rank + offset)^exponent. The
 * offset flattens the head so the commonest name is common without dominating.
 */
export function zipfWeights(count: number, exponent: number, offset: number): number[] {
  const weights: number[] = [];
  for (let rank = 1; rank <= count; rank += 1) weights.push(1 / (rank + offset) ** exponent);
  return weights;
}

/** Builds a table from `[item, weight]` pairs, which reads better for short fixed tables. */
export function tableOf<T>(pairs: readonly (readonly [T, number])[]): WeightedTable<T> {
  return new WeightedTable(
    pairs.map(([item]) => item),
    pairs.map(([, weight]) => weight),
  );
}
