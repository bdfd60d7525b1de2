import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { AuditEntryInput } from '../../../shared/audit/audit-entry.js';
import type { AuditLog } from '../../audit/index.js';
import { type DedupBatchResult, dedupBatch } from './dedup-batch.js';
import { registryDedupSchema } from './population-adapter.js';
import {
  countActivePersons,
  type FoundCluster,
  failRun,
  finishRun,
  insertRun,
  readActivePersons,
} from './run-repository.js';
import type { DedupRecord } from './types.js';

/** Where a run is: reading persons, then the engine's phases. */
export interface DedupRunProgress {
  readonly phase: string;
  readonly done: number;
  readonly total: number;
}

export interface DedupRunProps {
  /** Opened as the application role. */
  readonly db: Kysely<Database>;
  readonly audit: Pick<AuditLog, 'appendInTransaction'>;
  readonly onProgress?: (progress: DedupRunProgress) => void;
  /** Seed of the engine's random samples: the same registry and seed give the same run. */
  readonly seed?: number;
}

export interface DedupRunOutcome {
  readonly runId: string;
  readonly persons: number;
  readonly candidatePairs: number;
  readonly acceptedPairs: number;
  readonly clusters: number;
  readonly personsInClusters: number;
  readonly durationMs: number;
  readonly phasesMs: Readonly<Record<string, number>>;
}

/**
 * Batch duplicate detection over the registry: reads every active person's current version
 * (plain attributes and the phone digest, never a sealed value), runs the engine, and
 * stores the fitted model and the clusters for review in one transaction together with the
 * run's audit entry. A failure marks the run failed and writes no cluster.
 *
 * @example
 * const outcome = await dedupRunner({ db, audit: auditLog });
 * outcome.clusters // 41
 */
export async function dedupRunner(props: DedupRunProps): Promise<DedupRunOutcome> {
  const started = performance.now();
  const runId = randomUUID();
  await insertRun(props.db, runId);
  try {
    const records = await readRecords(props);
    const result = dedupBatch(records, {
      schema: registryDedupSchema,
      ...(props.seed === undefined ? {} : { seed: props.seed }),
      onProgress: (phase, done, total) => props.onProgress?.({ phase, done, total }),
    });
    const clusters = clustersOf(result);
    await props.db.transaction().execute(async (trx) => {
      await finishRun(trx, runId, clusters, {
        persons: records.length,
        candidatePairs: result.stats.candidatePairCount,
        acceptedPairs: result.accepted.length,
        model: result.model,
      });
      await props.audit.appendInTransaction(trx, [runAuditEntry(runId, records.length, clusters)]);
    });
    return {
      runId,
      persons: records.length,
      candidatePairs: result.stats.candidatePairCount,
      acceptedPairs: result.accepted.length,
      clusters: clusters.length,
      personsInClusters: clusters.reduce((sum, cluster) => sum + cluster.personIds.length, 0),
      durationMs: Math.round(performance.now() - started),
      phasesMs: result.stats.phasesMs,
    };
  } catch (error) {
    await failRun(props.db, runId).catch(() => undefined);
    throw error;
  }
}

async function readRecords(props: DedupRunProps): Promise<DedupRecord[]> {
  const total = await countActivePersons(props.db);
  const records: DedupRecord[] = [];
  props.onProgress?.({ phase: 'read', done: 0, total });
  for await (const page of readActivePersons(props.db)) {
    for (const record of page) records.push(record);
    props.onProgress?.({ phase: 'read', done: records.length, total });
  }
  return records;
}

/** Clusters as person ids with the best accepted score inside each, best first. */
export function clustersOf(result: DedupBatchResult): FoundCluster[] {
  const clusterOfRow = new Map<number, number>();
  result.clusters.forEach((rows, cluster) => {
    for (const row of rows) clusterOfRow.set(row, cluster);
  });
  const maxScore = new Float64Array(result.clusters.length).fill(-Infinity);
  for (const pair of result.accepted) {
    const cluster = clusterOfRow.get(result.candidates.left[pair] ?? -1);
    if (cluster === undefined) continue;
    maxScore[cluster] = Math.max(
      maxScore[cluster] ?? -Infinity,
      result.candidates.score[pair] ?? 0,
    );
  }
  return result.clusters
    .map((rows, cluster) => ({
      personIds: rows.map((row) => result.ids[row] ?? ''),
      maxScore: maxScore[cluster] ?? 0,
    }))
    .sort((a, b) => b.maxScore - a.maxScore);
}

/**
 * The run's one audit entry: a system job read the compared attributes of every active
 * person. The entry shape has no count field, so the counts travel in the request id.
 */
function runAuditEntry(
  runId: string,
  persons: number,
  clusters: readonly FoundCluster[],
): AuditEntryInput {
  return {
    actor: { kind: 'system', id: `dedup:${runId}`, role: 'system', region: null },
    action: 'person.dedup',
    resource: { type: 'person', id: null },
    purpose: 'enrolment',
    fields: ['given_names', 'first_surname', 'second_surname', 'sex', 'birth_date', 'phone'],
    outcome: 'allowed',
    reasonCode: null,
    requestId: `dedup:${runId}:persons:${persons}:clusters:${clusters.length}`,
  };
}
