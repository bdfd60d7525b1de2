import { performance } from 'node:perf_hooks';
import { type BlockSizeLimits, buildBlockingPlan, candidatePairs } from './blocking.js';
import { buildComparisons } from './comparisons.js';
import { expectationMaximisation, type PatternTable } from './em.js';
import { dedupLimits } from './limits.js';
import { estimateMBySessions } from './m-sessions.js';
import {
  type DecisionThresholds,
  type DedupModel,
  defaultThresholds,
  PairScorer,
  pairPrior,
  scoreForPosterior,
} from './model.js';
import { comparePairPatterns } from './pair-patterns.js';
import { RecordStore } from './record-store.js';
import type { DedupRecord, DedupSchema } from './types.js';
import { estimateU } from './u-estimate.js';
import { UnionFind } from './union-find.js';

export interface DedupBatchOptions {
  readonly schema: DedupSchema;
  /** Largest block of a tight key kind (name sound + date, phone …) that is used. */
  readonly blockSizeMax?: number;
  /**
   * Largest block of a loose key kind (name sound + year, place + name …). Default: the
   * tight limit up to `looseBlockReferenceRecords` records, then shrinking with √n so that
   * random pairs per record stay bounded as the registry grows.
   */
  readonly looseBlockSizeMax?: number;
  readonly uSamplePairsMax?: number;
  /** Seed of the random-pair sample; the same seed gives the same model. */
  readonly seed?: number;
  readonly thresholds?: Partial<DecisionThresholds>;
  /** Keep u at its random-pair values during EM (see EmOptions.fixU). */
  readonly emFixU?: boolean;
  /**
   * Called as the run moves through its phases (load, blocking, compare, em, score): `done`
   * of `total` phases finished, so a command line can show a progress bar.
   */
  readonly onProgress?: (phase: string, done: number, total: number) => void;
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
  /** Wall time of each phase, for benchmarks. */
  readonly phasesMs: Readonly<Record<string, number>>;
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
  const clock = new PhaseClock(options.onProgress);
  const store = loadStore(records, options.schema);
  clock.lap('load');
  const pairs = candidatePairs(
    store,
    buildBlockingPlan(options.schema),
    blockLimits(store, options),
  );
  clock.lap('blocking');
  const comparisons = buildComparisons(options.schema);
  const u = estimateU(
    store,
    comparisons,
    options.uSamplePairsMax ?? dedupLimits.uSamplePairsMax,
    options.seed ?? 20_240_601,
  );
  const tfScorer = new PairScorer({ ...modelShell(options), u, m: u });
  const tfBits = (c: number, row: number) => tfScorer.tfAdjustment(c, store, row);
  const { table, pairPattern } = comparePairPatterns(
    store,
    comparisons,
    pairs.left,
    pairs.right,
    tfBits,
  );
  clock.lap('compare');
  const model = trainModel(store, options, u, table, pairs.left.length, tfBits);
  clock.lap('em');
  const scorer = new PairScorer(model.model);
  const score = scorePairs(scorer, store, table, pairs.right, pairPattern);
  const prior = pairPrior(model.model, store.size);
  const acceptScoreMin = scoreForPosterior(model.model.thresholds.acceptPosteriorMin, prior);
  const accepted = acceptedPairs(score, acceptScoreMin);
  const sets = new UnionFind(store.size);
  for (const index of accepted) sets.union(pairs.left[index] ?? 0, pairs.right[index] ?? 0);
  const clusters = sets.groups();
  clock.lap('score');
  return {
    model: model.model,
    ids: store.ids,
    candidates: { left: pairs.left, right: pairs.right, score },
    acceptScoreMin,
    accepted,
    clusters,
    stats: {
      recordCount: store.size,
      blockCount: pairs.blockCount,
      blocksOverLimit: pairs.blocksOverLimit,
      candidatePairCount: pairs.left.length,
      patternCount: table.counts.length,
      emIterations: model.emIterations,
      emConverged: model.emConverged,
      candidateMatchShare: model.candidateMatchShare,
      phasesMs: clock.phases,
    },
  };
}

function loadStore(records: Iterable<DedupRecord>, schema: DedupSchema): RecordStore {
  const store = new RecordStore(schema);
  for (const record of records) {
    if (store.size >= dedupLimits.batchRecordsMax) {
      throw new RangeError(`dedupBatch accepts at most ${dedupLimits.batchRecordsMax} records`);
    }
    store.append(record);
  }
  return store;
}

/**
 * Block limits of a run. Loose keys group people by one common trait, so their blocks grow
 * linearly with the registry and their random pairs quadratically; the √n shrink keeps the
 * candidate pairs per record roughly constant instead.
 */
export function blockLimits(
  store: RecordStore,
  options: Pick<DedupBatchOptions, 'blockSizeMax' | 'looseBlockSizeMax'>,
): BlockSizeLimits {
  const tight = options.blockSizeMax ?? dedupLimits.blockSizeMax;
  const scale = Math.sqrt(dedupLimits.looseBlockReferenceRecords / Math.max(1, store.size));
  const loose =
    options.looseBlockSizeMax ??
    Math.max(dedupLimits.looseBlockSizeMin, Math.round(tight * Math.min(1, scale)));
  return { tight, loose };
}

function modelShell(options: DedupBatchOptions) {
  return {
    version: 1 as const,
    schema: options.schema,
    matchesPerRecord: 0,
    thresholds: { ...defaultThresholds, ...options.thresholds },
  };
}

/**
 * m from blocked training sessions when the schema has a date and a surname (else from EM
 * over the candidates), then EM over the candidates with m fixed for the match share,
 * which sets the prior and so the label-free threshold.
 */
function trainModel(
  store: RecordStore,
  options: DedupBatchOptions,
  u: number[][],
  table: PatternTable,
  pairCount: number,
  tfBits: (field: number, row: number) => number,
) {
  const sessionM = estimateMBySessions(store, buildComparisons(options.schema), u, {
    seed: options.seed ?? 20_240_601,
    blockSizeMax: dedupLimits.sessionBlockSizeMax,
    pairsMax: dedupLimits.sessionPairsMax,
    tfBits,
  });
  const em = expectationMaximisation(table, {
    uStart: u,
    fixU: options.emFixU === true,
    ...(sessionM === null ? {} : { mStart: sessionM, fixM: true }),
  });
  const model: DedupModel = {
    ...modelShell(options),
    m: em.m,
    u,
    matchesPerRecord: (em.matchShare * pairCount) / Math.max(1, store.size),
  };
  return {
    model,
    emIterations: em.iterations,
    emConverged: em.converged,
    candidateMatchShare: em.matchShare,
  };
}

/** Wall time per phase of a run. */
class PhaseClock {
  static readonly names = ['load', 'blocking', 'compare', 'em', 'score'];
  readonly phases: Record<string, number> = {};
  private last = performance.now();

  constructor(private readonly onProgress?: DedupBatchOptions['onProgress']) {
    onProgress?.('load', 0, PhaseClock.names.length);
  }

  lap(name: string): void {
    const now = performance.now();
    this.phases[name] = Math.round(now - this.last);
    this.last = now;
    const done = Object.keys(this.phases).length;
    this.onProgress?.(PhaseClock.names[done] ?? 'done', done, PhaseClock.names.length);
  }
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
