import {
  type Comparison,
  compareField,
  compareNameValues,
  nameElseLevel,
  nameMovedLevel,
} from './comparisons.js';
import type { PatternTable } from './em.js';
import { IntBuffer } from './int-buffer.js';
import type { RecordStore } from './record-store.js';
import { nameKinds } from './types.js';

/**
 * The comparison vectors of all candidate pairs, grouped into patterns. Records repeat
 * values (names, dates, places), so each field is compared once per distinct pair of value
 * ids and the result is cached; equal ids short-cut to "exact".
 */
export interface PairPatterns {
  /** Levels per pattern, for EM and scoring; offsets hold each group's TF evidence. */
  readonly table: PatternTable;
  /** Pattern of each pair. */
  readonly pairPattern: Int32Array;
}

/** Width of a term-frequency bin in bits: fine enough for EM, coarse enough to group. */
const tfBinBits = 0.5;
/** Cached value pairs per field before the cache is emptied (a V8 Map holds 2^24). */
const cacheEntriesMax = 4_000_000;

/**
 * Levels of every pair and their grouping into (levels, TF bin) patterns. `tfBits(c, row)`
 * gives the bits an exact match on row's value of comparison c adds (see PairScorer).
 *
 * @example
 * const { table, pairPattern } = comparePairPatterns(store, comparisons, left, right, tf);
 */
export function comparePairPatterns(
  store: RecordStore,
  comparisons: readonly Comparison[],
  left: Int32Array,
  right: Int32Array,
  tfBits: (comparison: number, row: number) => number,
): PairPatterns {
  const fieldLevel = comparisons.map((comparison) => fieldComparer(store, comparison));
  const radix = comparisons.map((comparison) => comparison.levels.length + 1);
  const patternOf = new Map<number, number>();
  const levels = new IntBuffer(1024);
  const offsets: number[] = [];
  const counts: number[] = [];
  const pairPattern = new Int32Array(left.length);
  const current = new Uint8Array(comparisons.length);
  for (let p = 0; p < left.length; p += 1) {
    const a = left[p] ?? 0;
    const b = right[p] ?? 0;
    let code = 0;
    let tf = 0;
    for (let c = 0; c < comparisons.length; c += 1) {
      const level = (fieldLevel[c] as FieldComparer)(a, b); // c < comparisons.length
      current[c] = level;
      code = code * (radix[c] ?? 1) + level;
      const comparison = comparisons[c];
      if (level === 1 && comparison?.tfLevel === 1) tf += tfBits(comparison.field, b);
    }
    const bin = Math.round(tf / tfBinBits);
    const groupKey = code * 512 + Math.max(-255, Math.min(255, bin)) + 256;
    let pattern = patternOf.get(groupKey);
    if (pattern === undefined) {
      pattern = counts.length;
      patternOf.set(groupKey, pattern);
      counts.push(0);
      offsets.push(bin * tfBinBits * Math.LN2);
      for (const level of current) levels.push(level);
    }
    counts[pattern] = (counts[pattern] ?? 0) + 1;
    pairPattern[p] = pattern;
  }
  const table: PatternTable = {
    levelCounts: radix,
    levels: Uint8Array.from(levels.toArray()),
    counts: Float64Array.from(counts),
    offsets: Float64Array.from(offsets),
  };
  return { table, pairPattern };
}

export type FieldComparer = (a: number, b: number) => number;

/** A comparer of two rows on one field that caches per distinct pair of value ids. */
export function fieldComparer(store: RecordStore, comparison: Comparison): FieldComparer {
  const field = comparison.field;
  const isName = nameKinds.has(comparison.kind);
  const isDate = comparison.kind === 'date';
  // Only name levels are worth caching (Jaro–Winkler, tokens); the others are cheaper to
  // recompute than to look up. Two levels of maps keep every key a small integer, which
  // V8 hashes without allocating.
  const cache = new Map<number, Map<number, number>>();
  let cached = 0;
  return (a, b) => {
    const idA = store.valueId(field, a);
    const idB = store.valueId(field, b);
    if (idA < 0 || idB < 0) return 0;
    if (idA === idB && !isDate) return 1;
    if (!isName) return compareField(comparison, store, a, store, b);
    const valueA = store.value(field, a);
    const valueB = store.value(field, b);
    if (valueA === null || valueB === null) return 0;
    const low = Math.min(idA, idB);
    const high = Math.max(idA, idB);
    let inner = cache.get(low);
    if (inner === undefined) {
      if (cached >= cacheEntriesMax) {
        cache.clear();
        cached = 0;
      }
      inner = new Map();
      cache.set(low, inner);
    }
    let level = inner.get(high);
    if (level === undefined) {
      level = compareNameValues(valueA, valueB);
      inner.set(high, level);
      cached += 1;
    }
    // Whether a name moved depends on the other fields, so it is never cached.
    if (level === nameElseLevel) {
      return nameMovedLevel(valueA, valueB, comparison, store, a, store, b);
    }
    return level;
  };
}
