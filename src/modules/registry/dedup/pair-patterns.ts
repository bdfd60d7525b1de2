import type { Comparison } from './comparisons.js';
import type { PatternTable } from './em.js';
import { type FieldComparer, FieldComparers } from './field-comparers.js';
import { IntBuffer } from './int-buffer.js';
import type { RecordStore } from './record-store.js';

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
/**
 * TF bins kept either side of zero (±31.5 bits; a name's TF adjustment stays far inside,
 * since term frequencies are floored at 1e-6). Few bins keep the pattern codes within the
 * flat lookup array.
 */
const tfBinsHalf = 63;
/** Pattern codes up to this many use a flat lookup array instead of a Map (32 MB). */
const directCodesMax = 1 << 23;

/**
 * Levels of every pair and their grouping into (levels, TF bin) patterns. `tfBits(c, row)`
 * gives the bits an exact match on row's value of comparison c adds (see PairScorer); it
 * depends on the value only, so it is asked once per value id.
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
  const comparers = new FieldComparers(store, comparisons);
  const fieldLevel: FieldComparer[] = comparisons.map((_, c) => comparers.of(c));
  const radix = comparisons.map((comparison) => comparison.levels.length + 1);
  const tf = comparisons.map((comparison) =>
    comparison.tfLevel === 1 ? new TfByValue(store, comparison.field, tfBits) : null,
  );
  const codeCount = radix.reduce((product, size) => product * size, 1) * (2 * tfBinsHalf + 1);
  const groups = new PatternGroups(comparisons.length, codeCount);
  const pairPattern = new Int32Array(left.length);
  const current = new Uint8Array(comparisons.length);
  const comparisonCount = comparisons.length;
  for (let p = 0; p < left.length; p += 1) {
    const a = left[p] ?? 0;
    const b = right[p] ?? 0;
    let code = 0;
    let bits = 0;
    for (let c = 0; c < comparisonCount; c += 1) {
      const level = (fieldLevel[c] as FieldComparer)(a, b); // c < comparisonCount
      current[c] = level;
      code = code * (radix[c] ?? 1) + level;
      if (level === 1) bits += tf[c]?.bits(b) ?? 0;
    }
    const bin = Math.max(-tfBinsHalf, Math.min(tfBinsHalf, Math.round(bits / tfBinBits)));
    pairPattern[p] = groups.patternOf(code * (2 * tfBinsHalf + 1) + bin + tfBinsHalf, bin, current);
  }
  const table: PatternTable = {
    levelCounts: radix,
    levels: Uint8Array.from(groups.levels.toArray()),
    counts: Float64Array.from(groups.counts),
    offsets: Float64Array.from(groups.offsets),
  };
  return { table, pairPattern };
}

/** TF bits of a field per value id, computed on first use. */
class TfByValue {
  private readonly ids: Int32Array;
  private readonly byId = new Map<number, number>();

  constructor(
    store: RecordStore,
    private readonly field: number,
    private readonly tfBits: (comparison: number, row: number) => number,
  ) {
    this.ids = store.valueIds(field);
  }

  bits(row: number): number {
    const id = this.ids[row] ?? -1;
    let bits = this.byId.get(id);
    if (bits === undefined) {
      bits = this.tfBits(this.field, row);
      this.byId.set(id, bits);
    }
    return bits;
  }
}

/** Pattern numbers by code: a flat array when the codes are few, else a Map. */
class PatternGroups {
  readonly levels = new IntBuffer(1024);
  readonly offsets: number[] = [];
  readonly counts: number[] = [];
  private readonly direct: Int32Array | null;
  private readonly byCode = new Map<number, number>();

  constructor(
    private readonly comparisonCount: number,
    codeCount: number,
  ) {
    this.direct = codeCount <= directCodesMax ? new Int32Array(codeCount).fill(-1) : null;
  }

  patternOf(code: number, bin: number, current: Uint8Array): number {
    let pattern = this.direct === null ? (this.byCode.get(code) ?? -1) : (this.direct[code] ?? -1);
    if (pattern < 0) {
      pattern = this.counts.length;
      if (this.direct === null) this.byCode.set(code, pattern);
      else this.direct[code] = pattern;
      this.counts.push(0);
      this.offsets.push(bin * tfBinBits * Math.LN2);
      for (let c = 0; c < this.comparisonCount; c += 1) this.levels.push(current[c] ?? 0);
    }
    this.counts[pattern] = (this.counts[pattern] ?? 0) + 1;
    return pattern;
  }
}
