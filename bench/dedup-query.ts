import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { validatePopulationOptions } from '../src/modules/demo/options.js';
import { generatePopulation } from '../src/modules/demo/population.js';
import { createMatchIndex } from '../src/modules/registry/dedup/match-index.js';
import { toDedupRecord } from '../src/modules/registry/dedup/population-adapter.js';
import type { DedupRecord } from '../src/modules/registry/dedup/types.js';
import type { PopulationRecord } from '../src/modules/registry/import/population-record.js';
import {
  registryStartingModel,
  trainedRegistryModel,
} from '../src/modules/registry/review/duplicate-checker.js';

/**
 * Enrolment-time duplicate check at registry scale: the match index the server builds in
 * the background at start-up (duplicate-checker.ts: its schema and the model it trains on
 * the registry: u from random pairs, m and the prior by EM) over `persons` demo
 * persons, then `queries` checks, half of them held-out duplicate enrolments of indexed
 * persons (noisy copies from the generator) and half fresh persons with no record in the
 * index. Target on the 2-core machine: p99 ≤ 50 ms per query with 1,000,000 persons.
 *
 *   npm run bench -- dedup-query [persons=1000000] [queries=10000]
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const persons = Number(args[0] ?? 1_000_000);
  const queryCount = Number(args[1] ?? 10_000);
  const { indexed, duplicates, fresh } = splitPopulation(persons, queryCount);
  const loadAverage = readFileSync('/proc/loadavg', 'utf8').trim();
  const heapBefore = process.memoryUsage().heapUsed;
  const cpuBefore = process.cpuUsage();
  const buildStarted = performance.now();
  const index = createMatchIndex(indexed, trainedRegistryModel);
  const buildMs = performance.now() - buildStarted;
  const buildCpu = process.cpuUsage(cpuBefore);
  const heapAfter = process.memoryUsage().heapUsed;
  const latencies: number[] = [];
  let duplicatesFound = 0;
  let freshFlagged = 0;
  const queryCpuBefore = process.cpuUsage();
  for (const query of [...duplicates, ...fresh].sort((a, b) => a.order - b.order)) {
    const started = performance.now();
    const candidates = index.findCandidates(query.record);
    latencies.push(performance.now() - started);
    if (query.originalId === null) freshFlagged += candidates.length > 0 ? 1 : 0;
    else if (candidates.some((candidate) => candidate.id === query.originalId))
      duplicatesFound += 1;
  }
  const queryCpu = process.cpuUsage(queryCpuBefore);
  latencies.sort((a, b) => a - b);
  const quantile = (q: number) =>
    +(latencies[Math.floor(q * (latencies.length - 1))] ?? 0).toFixed(2);
  return {
    command: `npm run bench -- dedup-query ${persons} ${queryCount}`,
    indexedPersons: index.size,
    queries: latencies.length,
    buildMs: Math.round(buildMs),
    buildCpuMs: Math.round((buildCpu.user + buildCpu.system) / 1000),
    latencyMsP50: quantile(0.5),
    latencyMsP95: quantile(0.95),
    latencyMsP99: quantile(0.99),
    latencyMsMax: quantile(1),
    // Wall latencies include waiting for a core on the shared machine; this does not.
    cpuMsPerQueryMean: +(
      (queryCpu.user + queryCpu.system) /
      1000 /
      Math.max(1, latencies.length)
    ).toFixed(3),
    heapMegabytesForIndex: Math.round((heapAfter - heapBefore) / 2 ** 20),
    modelTrained: index.model !== registryStartingModel,
    matchesPerRecord: +index.model.matchesPerRecord.toFixed(4),
    duplicatesFoundShare: +(duplicatesFound / Math.max(1, duplicates.length)).toFixed(4),
    freshFlaggedShare: +(freshFlagged / Math.max(1, fresh.length)).toFixed(4),
    loadAverage,
    loadAverageAfter: readFileSync('/proc/loadavg', 'utf8').trim(),
    maxRssMegabytes: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

interface Query {
  readonly record: DedupRecord;
  /** The indexed record this one duplicates, or null for a fresh person. */
  readonly originalId: string | null;
  /** Queries are asked interleaved, in a fixed order. */
  readonly order: number;
}

/**
 * Splits a generated population: the last duplicate enrolments (their originals stay
 * indexed) and the last persons enrolled once (left out of the index) become queries.
 */
function splitPopulation(persons: number, queryCount: number) {
  const all = [
    ...generatePopulation(
      validatePopulationOptions({
        persons: persons + queryCount,
        seed: 'bench',
        duplicateShare: 0.05,
      }),
    ),
  ];
  const copies = new Map<string, number>();
  for (const record of all) copies.set(record.personId, (copies.get(record.personId) ?? 0) + 1);
  const held = new Set<PopulationRecord>();
  const duplicates: Query[] = [];
  const fresh: Query[] = [];
  for (let i = all.length - 1; i >= 0; i -= 1) {
    const record = all[i] as PopulationRecord; // 0 ≤ i < all.length
    if (record.duplicateOfRecordId !== '' && duplicates.length < queryCount / 2) {
      duplicates.push({
        record: toIndexRecord(record),
        originalId: record.duplicateOfRecordId,
        order: i,
      });
      held.add(record);
    } else if (copies.get(record.personId) === 1 && fresh.length < queryCount / 2) {
      fresh.push({ record: toIndexRecord(record), originalId: null, order: i });
      held.add(record);
    }
  }
  const indexed = all.filter((record) => !held.has(record)).map(toIndexRecord);
  return { indexed, duplicates, fresh };
}

/** A demo record in the server's duplicate-checker schema (the phone stands for its digest). */
function toIndexRecord(record: PopulationRecord): DedupRecord {
  return toDedupRecord(record);
}
