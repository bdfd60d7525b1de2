import { buildComparisons, type Comparison, compareField, nullLevel } from './comparisons.js';
import type { RecordStore } from './record-store.js';
import type { DedupSchema } from './types.js';

/**
 * A trained Fellegi–Sunter model: plain JSON, so a batch run can save it and the
 * enrolment-time index can load it.
 */
export interface DedupModel {
  readonly version: 1;
  readonly schema: DedupSchema;
  /** Per comparison, per level (index 0 = null, unused): P(level | match), P(level | non-match). */
  readonly m: readonly (readonly number[])[];
  readonly u: readonly (readonly number[])[];
  /**
   * Expected true pairs per record, from EM. With n records the prior that one given pair
   * matches is 2·matchesPerRecord/(n−1); it sets the posterior thresholds.
   */
  readonly matchesPerRecord: number;
  readonly thresholds: DecisionThresholds;
}

/**
 * Posterior match probabilities at which a pair is accepted in a batch run, sent to a
 * person for review at enrolment, or flagged as a duplicate without review.
 */
export interface DecisionThresholds {
  readonly acceptPosteriorMin: number;
  readonly reviewPosteriorMin: number;
  readonly autoPosteriorMin: number;
}

export const defaultThresholds: DecisionThresholds = {
  acceptPosteriorMin: 0.5,
  reviewPosteriorMin: 0.1,
  autoPosteriorMin: 0.99,
};

/** Smallest term frequency used, so that a value seen once cannot weigh without bound. */
const termFrequencyMin = 1e-6;

/**
 * Scores pairs with a model: the sum over comparisons of log2(m/u) at the observed level.
 * An exact name match also adds log2(u_exact / f_value), which turns its weight into
 * log2(m / f_value): sharing a rare surname is stronger evidence than sharing "garcia".
 *
 * @example
 * const scorer = new PairScorer(model);
 * scorer.score(store, 0, store, 1, store, 1) // log2 Bayes factor
 */
export class PairScorer {
  readonly comparisons: readonly Comparison[];
  /** weights[c][level] in bits; null level 0 weighs 0. */
  readonly weights: readonly Float64Array[];
  readonly levels: Uint8Array;

  constructor(readonly model: DedupModel) {
    this.comparisons = buildComparisons(model.schema);
    this.weights = this.comparisons.map((comparison, c) => {
      const row = new Float64Array(comparison.levels.length + 1);
      for (let level = 1; level < row.length; level += 1) {
        row[level] = Math.log2((model.m[c]?.[level] ?? 1) / (model.u[c]?.[level] ?? 1));
      }
      return row;
    });
    this.levels = new Uint8Array(this.comparisons.length);
  }

  /**
   * Compares two rows, leaving their levels in `this.levels`, and returns the score.
   * Term frequencies come from `tfStore`'s row `tfRow` (the registry side of a query).
   */
  score(
    storeA: RecordStore,
    rowA: number,
    storeB: RecordStore,
    rowB: number,
    tfStore: RecordStore,
    tfRow: number,
  ): number {
    let total = 0;
    for (let c = 0; c < this.comparisons.length; c += 1) {
      const comparison = this.comparisons[c] as Comparison; // c < comparisons.length
      const level = compareField(comparison, storeA, rowA, storeB, rowB);
      this.levels[c] = level;
      if (level === nullLevel) continue;
      total += this.weights[c]?.[level] ?? 0;
      if (level === comparison.tfLevel) total += this.tfAdjustment(c, tfStore, tfRow);
    }
    return total;
  }

  /** Bits added to an exact match on row's value of comparison c. */
  tfAdjustment(c: number, store: RecordStore, row: number): number {
    const comparison = this.comparisons[c];
    if (comparison === undefined || comparison.tfLevel === 0 || store.size === 0) return 0;
    const frequency = Math.max(
      termFrequencyMin,
      store.valueCount(comparison.field, row) / store.size,
    );
    const uExact = this.model.u[c]?.[comparison.tfLevel] ?? frequency;
    return Math.log2(uExact / frequency);
  }
}

/**
 * Prior probability that one pair of records among `recordCount` is a match.
 *
 * @example
 * pairPrior(model, 1_000_000) // ≈ 2·matchesPerRecord / 999 999
 */
export function pairPrior(model: DedupModel, recordCount: number): number {
  const pairsPerRecord = Math.max(1, recordCount - 1);
  return Math.min(0.5, Math.max(1e-12, (2 * model.matchesPerRecord) / pairsPerRecord));
}

/** Posterior match probability of a pair with this score (bits) under this prior. */
export function posteriorFromScore(score: number, prior: number): number {
  return 1 / (1 + ((1 - prior) / prior) * 2 ** -score);
}

/** The score (bits) at which the posterior reaches `posteriorMin` under this prior. */
export function scoreForPosterior(posteriorMin: number, prior: number): number {
  return Math.log2(posteriorMin / (1 - posteriorMin)) + Math.log2((1 - prior) / prior);
}
