import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { validatePopulationOptions } from '../src/modules/demo/options.js';
import { generatePopulation } from '../src/modules/demo/population.js';
import { dedupBatch } from '../src/modules/registry/dedup/dedup-batch.js';
import { pairMetrics } from '../src/modules/registry/dedup/evaluate.js';
import {
  registryDedupSchema,
  toDedupRecord,
} from '../src/modules/registry/dedup/population-adapter.js';
import type { DedupRecord } from '../src/modules/registry/dedup/types.js';

/**
 * Batch duplicate detection over a synthetic population from the demo generator (5 %
 * duplicate enrolments), scored against the generator's ground truth. Target on the 2-core
 * reference machine: 1,000,000 persons in ≤ 180 s with pairwise precision and recall ≥ 0.98.
 * The population is generated in memory first; only `dedupBatch` is timed.
 *
 *   npm run bench -- dedup-batch [persons=1000000]
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const persons = Number(args[0] ?? 1_000_000);
  const options = validatePopulationOptions({ persons, seed: 'bench', duplicateShare: 0.05 });
  const records: DedupRecord[] = [];
  const personOfRow: string[] = [];
  for (const record of generatePopulation(options)) {
    records.push(toDedupRecord(record));
    personOfRow.push(record.personId);
  }
  const loadAverage = readFileSync('/proc/loadavg', 'utf8').trim();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = dedupBatch(records, { schema: registryDedupSchema });
  const durationMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  // The machine is shared: the load during the run says how much of the wall time was ours.
  const loadAverageAfter = readFileSync('/proc/loadavg', 'utf8').trim();
  const quality = scoreAgainstTruth(result, personOfRow);
  return {
    command: `npm run bench -- dedup-batch ${persons}`,
    persons,
    durationMs: Math.round(durationMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    loadAverage,
    loadAverageAfter,
    candidatePairs: result.stats.candidatePairCount,
    candidatePairsPerRecord: +(result.stats.candidatePairCount / persons).toFixed(2),
    patterns: result.stats.patternCount,
    emIterations: result.stats.emIterations,
    acceptScoreMinBits: +result.acceptScoreMin.toFixed(2),
    ...quality,
    phasesMs: result.stats.phasesMs,
    maxRssMegabytes: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/** Pairwise precision, recall, F1 and blocking recall against the generator's persons. */
function scoreAgainstTruth(
  result: ReturnType<typeof dedupBatch>,
  personOfRow: readonly string[],
): Record<string, number> {
  const size = personOfRow.length;
  const key = (a: number, b: number): number => (a < b ? a * size + b : b * size + a);
  const rowsOf = new Map<string, number[]>();
  personOfRow.forEach((person, row) => {
    const rows = rowsOf.get(person);
    if (rows === undefined) rowsOf.set(person, [row]);
    else rows.push(row);
  });
  const truth = new Set<number>();
  for (const rows of rowsOf.values()) {
    for (let i = 0; i < rows.length; i += 1)
      for (let j = i + 1; j < rows.length; j += 1) truth.add(key(rows[i] ?? 0, rows[j] ?? 0));
  }
  const predicted = new Set<number>();
  for (const p of result.accepted)
    predicted.add(key(result.candidates.left[p] ?? 0, result.candidates.right[p] ?? 0));
  let blocked = 0;
  for (let p = 0; p < result.candidates.left.length; p += 1) {
    const left = result.candidates.left[p] ?? 0;
    const right = result.candidates.right[p] ?? 0;
    if (personOfRow[left] === personOfRow[right]) blocked += 1;
  }
  const metrics = pairMetrics(predicted, truth);
  return {
    truePairs: truth.size,
    precision: +metrics.precision.toFixed(4),
    recall: +metrics.recall.toFixed(4),
    f1: +metrics.f1.toFixed(4),
    falsePositives: metrics.falsePositives,
    falseNegatives: metrics.falseNegatives,
    blockingRecall: +(truth.size === 0 ? 1 : blocked / truth.size).toFixed(4),
  };
}
