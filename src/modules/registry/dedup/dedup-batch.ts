import { buildBlockingPlan, candidatePairs } from './blocking.js';
import { buildComparisons, compareField } from './comparisons.js';
import { expectationMaximisation, type PatternTable } from './em.js';
import { dedupLimits } from './limits.js';
import {
  type DecisionThresholds,
  type DedupModel,
  defaultThresholds,
  PairScorer,
  pairPrior,
  scoreForPosterior,
} from './model.js';
import { RecordStore } from './record-store.js';
import type { DedupRecord, DedupSchema } from './types.js';
import { estimateU } from './u-estimate.js';
import { UnionFind } from './union-find.js';

export interface DedupBatchOptions {
  readonly schema: DedupSchema;
  readonly blockSizeMax?: number;
  readonly uSamplePairsMax?: number;
  /** Seed of the random-pair sample; the same seed gives the same model. */
  readonly seed?: number;
  readonly thresholds?: Partial<DecisionThresholds>;
  /** Keep u at its random-pair values during EM (see EmOptions.fixU). */
  readonly emFixU?: boolean;
}

export interface DedupBatchResult {
  readonly model: DedupModel;
  readonly ids: readonly string[];
  /** Candidate pairs as row numbers into `ids`, and their scores (bits). */
  readonly candidates: {
    readonly left: Int32Array;
    readonly right: Int32Array;
    readonly score: Float64Array;
  };
  /** The score (bits) a pair needs to be accepted: posterior ≥ acceptPosteriorMin. */
  readonly acceptScoreMin: number;
  /** Indexes into `candidates` of the accepted pairs. */
  readonly accepted: Int32Array;
  /** Clusters of two or more rows (one person enrolled several times), by row number. */
  readonly clusters: readonly (readonly number[])[];
  readonly stats: DedupBatchStats;
}

export interface DedupBatchStats {
  readonly recordCount: number;
  readonly blockCount: number;
  readonly blocksOverLimit: number;
  readonly candidatePairCount: number;
  readonly patternCount: number;
  readonly emIterations: number;
  readonly emConverged: boolean;
  /** EM's estimate of the share of candidate pairs that are matches. */
  readonly candidateMatchShare: number;
}

/**
 * Finds the records that describe the same person: blocking, comparison, Fellegi–Sunter
 * weights with u from random pairs and m from EM over the candidates, a threshold chosen
 * without labels (posterior ≥ 0.5 under the EM prior), and union-find clustering.
 *
 * @example
 * const result = dedupBatch(records, { schema });
 * result.clusters.map((rows) => rows.map((row) => result.ids[row]))
 */
export function dedupBatch(
  records: Iterable<DedupRecord>,
  options: DedupBatchOptions,
): DedupBatchResult {
  const store = new RecordStore(options.schema);
  for (const record of records) {
    if (store.size >= dedupLimits.batchRecordsMax) {
      throw new RangeError(`dedupBatch accepts at most ${dedupLimits.batchRecordsMax} records`);
    }
    store.append(record);
  }
  const plan = buildBlockingPlan(options.schema);
  const pairs = candidatePairs(store, plan, options.blockSizeMax ?? dedupLimits.blockSizeMax);
  const { table, pairPattern } = comparePairs(store, options.schema, pairs.left, pairs.right);
  const model = trainModel(store, options, table, pairs.left.length);
  const scorer = new PairScorer(model.model);
  const score = scorePairs(scorer, store, table, pairs.right, pairPattern);
  const prior = pairPrior(model.model, store.size);
  const acceptScoreMin = scoreForPosterior(model.model.thresholds.acceptPosteriorMin, prior);
  const accepted = acceptedPairs(score, acceptScoreMin);
  const sets = new UnionFind(store.size);
  for (const index of accepted) sets.union(pairs.left[index] ?? 0, pairs.right[index] ?? 0);
  return {
    model: model.model,
    ids: store.ids,
    candidates: { left: pairs.left, right: pairs.right, score },
    acceptScoreMin,
    accepted,
    clusters: sets.groups(),
    stats: {
      recordCount: store.size,
      blockCount: pairs.blockCount,
      blocksOverLimit: pairs.blocksOverLimit,
      candidatePairCount: pairs.left.length,
      patternCount: table.counts.length,
      emIterations: model.emIterations,
      emConverged: model.emConverged,
      candidateMatchShare: model.candidateMatchShare,
    },
  };
}

/** Levels of every candidate pair, grouped into patterns; pairPattern maps pair → pattern. */
function comparePairs(
  store: RecordStore,
  schema: DedupSchema,
  left: Int32Array,
  right: Int32Array,
) {
  const comparisons = buildComparisons(schema);
  const radix = comparisons.map((comparison) => comparison.levels.length + 1);
  const patternOf = new Map<number, number>();
  const levels: number[] = [];
  const counts: number[] = [];
  const pairPattern = new Int32Array(left.length);
  for (let p = 0; p < left.length; p += 1) {
    let code = 0;
    const start = levels.length;
    for (let c = 0; c < comparisons.length; c += 1) {
      const comparison = comparisons[c];
      if (comparison === undefined) continue;
      const level = compareField(comparison, store, left[p] ?? 0, store, right[p] ?? 0);
      code = code * (radix[c] ?? 1) + level;
      levels.push(level);
    }
    let pattern = patternOf.get(code);
    if (pattern === undefined) {
      pattern = counts.length;
      patternOf.set(code, pattern);
      counts.push(0);
    } else {
      levels.length = start;
    }
    counts[pattern] = (counts[pattern] ?? 0) + 1;
    pairPattern[p] = pattern;
  }
  const table: PatternTable = {
    levelCounts: radix,
    levels: Uint8Array.from(levels),
    counts: Float64Array.from(counts),
  };
  return { table, pairPattern };
}

function trainModel(
  store: RecordStore,
  options: DedupBatchOptions,
  table: PatternTable,
  pairCount: number,
) {
  const comparisons = buildComparisons(options.schema);
  const u = estimateU(
    store,
    comparisons,
    options.uSamplePairsMax ?? dedupLimits.uSamplePairsMax,
    options.seed ?? 20_240_601,
  );
  const em = expectationMaximisation(table, { uStart: u, fixU: options.emFixU === true });
  const model: DedupModel = {
    version: 1,
    schema: options.schema,
    m: em.m,
    u,
    matchesPerRecord: (em.matchShare * pairCount) / Math.max(1, store.size),
    thresholds: { ...defaultThresholds, ...options.thresholds },
  };
  return {
    model,
    emIterations: em.iterations,
    emConverged: em.converged,
    candidateMatchShare: em.matchShare,
  };
}

/**
 * Scores from the pattern of each pair (comparisons are not run twice), plus the term-
 * frequency adjustment of exact name matches, which depends on the value itself.
 */
function scorePairs(
  scorer: PairScorer,
  store: RecordStore,
  table: PatternTable,
  right: Int32Array,
  pairPattern: Int32Array,
): Float64Array {
  const comparisonCount = scorer.comparisons.length;
  const patternWeight = new Float64Array(table.counts.length);
  for (let pattern = 0; pattern < patternWeight.length; pattern += 1) {
    let total = 0;
    for (let c = 0; c < comparisonCount; c += 1) {
      total += scorer.weights[c]?.[table.levels[pattern * comparisonCount + c] ?? 0] ?? 0;
    }
    patternWeight[pattern] = total;
  }
  const tfComparisons = scorer.comparisons.filter((comparison) => comparison.tfLevel > 0);
  const score = new Float64Array(right.length);
  for (let p = 0; p < right.length; p += 1) {
    const pattern = pairPattern[p] ?? 0;
    let total = patternWeight[pattern] ?? 0;
    for (const comparison of tfComparisons) {
      const level = table.levels[pattern * comparisonCount + comparison.field] ?? 0;
      if (level === comparison.tfLevel) {
        total += scorer.tfAdjustment(comparison.field, store, right[p] ?? 0);
      }
    }
    score[p] = total;
  }
  return score;
}

function acceptedPairs(score: Float64Array, scoreMin: number): Int32Array {
  const accepted: number[] = [];
  for (let p = 0; p < score.length; p += 1)
    if ((score[p] ?? -Infinity) >= scoreMin) accepted.push(p);
  return Int32Array.from(accepted);
}
