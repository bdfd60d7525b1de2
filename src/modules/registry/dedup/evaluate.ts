import { performance } from 'node:perf_hooks';
import { type DedupBatchOptions, dedupBatch } from './dedup-batch.js';
import { febrlSchema, parseFebrl } from './febrl.js';

export interface PairMetrics {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export interface FebrlEvaluation extends PairMetrics {
  readonly recordCount: number;
  readonly truePairCount: number;
  /** Share of true pairs that blocking made candidates: the ceiling of recall. */
  readonly blockingRecall: number;
  readonly candidatePairCount: number;
  readonly blocksOverLimit: number;
  /** Metrics on all pairs inside the union-find clusters (transitive closure of links). */
  readonly clusterPairs: PairMetrics;
  readonly acceptScoreMin: number;
  readonly emIterations: number;
  readonly emConverged: boolean;
  readonly fields: readonly string[];
  readonly durationMs: number;
}

export interface FebrlEvaluationOptions extends Omit<DedupBatchOptions, 'schema'> {
  readonly ignore?: readonly string[];
  readonly only?: readonly string[];
}

/**
 * Runs the engine on a FEBRL file at its own, label-free threshold and scores its pairs
 * against the ground truth in rec_id. The labels are read only after the engine is done.
 *
 * @example
 * const result = evaluateFebrl(readFileSync('dataset2.csv', 'utf8'), { ignore: ['soc_sec_id'] });
 * result.f1 // pairwise F1
 */
export function evaluateFebrl(text: string, options: FebrlEvaluationOptions = {}): FebrlEvaluation {
  const records = parseFebrl(text);
  const schema = febrlSchema({ ignore: options.ignore, only: options.only });
  const started = performance.now();
  const result = dedupBatch(records, { ...options, schema });
  const durationMs = performance.now() - started;
  const size = records.length;
  const pairKey = (a: number, b: number): number => (a < b ? a * size + b : b * size + a);
  const truth = truePairs(
    records.map((record) => record.entity),
    pairKey,
  );
  const candidates = new Set<number>();
  result.candidates.left.forEach((left, p) => {
    candidates.add(pairKey(left, result.candidates.right[p] ?? 0));
  });
  const predicted = new Set<number>();
  for (const p of result.accepted) {
    predicted.add(pairKey(result.candidates.left[p] ?? 0, result.candidates.right[p] ?? 0));
  }
  const clustered = new Set<number>();
  for (const cluster of result.clusters) {
    cluster.forEach((a, i) => {
      for (const b of cluster.slice(i + 1)) clustered.add(pairKey(a, b));
    });
  }
  let truthCandidates = 0;
  for (const key of truth) if (candidates.has(key)) truthCandidates += 1;
  return {
    ...pairMetrics(predicted, truth),
    recordCount: size,
    truePairCount: truth.size,
    blockingRecall: truth.size === 0 ? 1 : truthCandidates / truth.size,
    candidatePairCount: result.stats.candidatePairCount,
    blocksOverLimit: result.stats.blocksOverLimit,
    clusterPairs: pairMetrics(clustered, truth),
    acceptScoreMin: result.acceptScoreMin,
    emIterations: result.stats.emIterations,
    emConverged: result.stats.emConverged,
    fields: schema.fields.map((spec) => spec.name),
    durationMs,
  };
}

function truePairs(
  entities: readonly string[],
  pairKey: (a: number, b: number) => number,
): Set<number> {
  const byEntity = new Map<string, number[]>();
  entities.forEach((entity, row) => {
    const rows = byEntity.get(entity);
    if (rows === undefined) byEntity.set(entity, [row]);
    else rows.push(row);
  });
  const truth = new Set<number>();
  for (const rows of byEntity.values()) {
    rows.forEach((a, i) => {
      for (const b of rows.slice(i + 1)) truth.add(pairKey(a, b));
    });
  }
  return truth;
}

/**
 * Pairwise precision, recall and F1 of predicted pairs against true pairs.
 *
 * @example
 * pairMetrics(new Set([1, 2]), new Set([2, 3])).f1 // 0.5
 */
export function pairMetrics(
  predicted: ReadonlySet<number>,
  truth: ReadonlySet<number>,
): PairMetrics {
  let truePositives = 0;
  for (const key of predicted) if (truth.has(key)) truePositives += 1;
  const falsePositives = predicted.size - truePositives;
  const falseNegatives = truth.size - truePositives;
  const precision = predicted.size === 0 ? 1 : truePositives / predicted.size;
  const recall = truth.size === 0 ? 1 : truePositives / truth.size;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { truePositives, falsePositives, falseNegatives, precision, recall, f1 };
}
