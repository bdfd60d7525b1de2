import { buildComparisons } from './comparisons.js';
import { expectationMaximisation } from './em.js';
import { IntBuffer } from './int-buffer.js';
import { dedupLimits } from './limits.js';
import { estimateMBySessions } from './m-sessions.js';
import type { TrainingView } from './match-index.js';
import { type DecisionThresholds, type DedupModel, PairScorer } from './model.js';
import { comparePairPatterns } from './pair-patterns.js';
import { seededRandom } from './random.js';
import type { DedupSchema } from './types.js';
import { estimateU } from './u-estimate.js';

export interface MatchModelOptions {
  readonly schema: DedupSchema;
  readonly thresholds: DecisionThresholds;
  /** Seed of every sample: the same registry gives the same model. */
  readonly seed?: number;
  /** Registry rows whose candidates feed the EM estimate of the match share. */
  readonly sampleRows?: number;
}

/**
 * Registries smaller than this train no model: training sessions of a few thousand records
 * give a noisy m (see README), so the caller keeps its starting model until the registry
 * has grown.
 */
export const trainingRecordsMin = 20_000;

/**
 * Trains the enrolment-time model on the indexed registry the way a batch run does, without
 * comparing every candidate pair:
 * - u from random pairs of registry rows (`estimateU`);
 * - m from blocked training sessions (`estimateMBySessions`);
 * - the match share, hence the prior, by EM with m fixed over the candidates of a random
 *   sample of rows (each row's blocked neighbours, as an enrolment query would find them).
 * Returns null when the registry is too small or the schema has no session fields.
 *
 * @example
 * const model = trainMatchModel(view, { schema, thresholds: defaultThresholds });
 */
export function trainMatchModel(view: TrainingView, options: MatchModelOptions): DedupModel | null {
  const steps = matchModelSteps(view, options);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

/**
 * `trainMatchModel` as a generator that yields between its phases (u, the sessions, the
 * sample), so a server can let requests in between them.
 *
 * @example
 * const model = yield* matchModelSteps(view, { schema, thresholds: defaultThresholds });
 */
export function* matchModelSteps(
  view: TrainingView,
  options: MatchModelOptions,
): Generator<void, DedupModel | null, void> {
  const { store } = view;
  if (store.size < trainingRecordsMin) return null;
  const seed = options.seed ?? 20_240_601;
  const comparisons = buildComparisons(options.schema);
  const u = estimateU(store, comparisons, dedupLimits.uSamplePairsMax, seed);
  yield;
  const shell = { version: 1 as const, schema: options.schema, thresholds: options.thresholds };
  const tfScorer = new PairScorer({ ...shell, m: u, u, matchesPerRecord: 0 });
  const tfBits = (c: number, row: number) => tfScorer.tfAdjustment(c, store, row);
  const m = estimateMBySessions(store, comparisons, u, {
    seed,
    blockSizeMax: dedupLimits.sessionBlockSizeMax,
    pairsMax: dedupLimits.sessionPairsMax,
    tfBits,
  });
  if (m === null) return null;
  yield;
  const sampleRows = Math.min(store.size, options.sampleRows ?? trainingSampleRows);
  const random = seededRandom(seed + 1);
  const left = new IntBuffer(1024);
  const right = new IntBuffer(1024);
  for (let s = 0; s < sampleRows; s += 1) {
    const row = Math.floor(random() * store.size);
    for (const other of view.candidateRowsOf(row)) {
      left.push(row);
      right.push(other);
    }
  }
  yield;
  const pairs = comparePairPatterns(store, comparisons, left.toArray(), right.toArray(), tfBits);
  const em = expectationMaximisation(pairs.table, { uStart: u, mStart: m, fixM: true });
  // Each sampled row sees its own matches; a true pair joins two rows, hence the half.
  const matchesPerRecord = (em.matchShare * left.size) / Math.max(1, sampleRows) / 2;
  return { ...shell, m: em.m, u, matchesPerRecord };
}

/**
 * Rows sampled for the match share. Each brings its blocked neighbours (hundreds at a
 * million persons): 5,000 rows hold about 500 true pairs and take a few seconds; 20,000 took
 * 20 s of one uninterrupted stretch at 1,000,000 persons.
 */
const trainingSampleRows = 5_000;
