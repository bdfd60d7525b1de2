import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { runLimits } from './limits.js';
import type { DedupModel } from './model.js';
import { registryDedupSchema } from './population-adapter.js';
import type { DedupRecord } from './types.js';

/** The plain catalogue attributes the schema compares; the phone takes part by its digest. */
const plainFields = registryDedupSchema.fields
  .map((field) => field.name)
  .filter((name) => name !== 'phone_digest');

/**
 * Reads the current version of every person in `statuses`, page by page in id order, as
 * engine records: the plain attributes the schema compares (`attributes->>name`) and the
 * phone's blind-index digest (hex). Sealed attributes are never read, so neither the batch run
 * nor the enrolment-time index needs a data key.
 *
 * @example
 * for await (const page of readDedupRecords(db, { statuses: ['active'] })) records.push(...page);
 */
export async function* readDedupRecords(
  db: Kysely<Database>,
  options: { statuses: ReadonlyArray<'active' | 'deceased'>; pageRecords?: number },
): AsyncGenerator<DedupRecord[]> {
  const pageRecords = options.pageRecords ?? runLimits.readPageRecords;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await db
      .selectFrom('person')
      .innerJoin('person_version', (join) =>
        join
          .onRef('person_version.person_id', '=', 'person.id')
          .onRef('person_version.version', '=', 'person.current_version'),
      )
      .leftJoin('person_blind_index', (join) =>
        join
          .onRef('person_blind_index.person_id', '=', 'person.id')
          .on('person_blind_index.kind', '=', 'phone'),
      )
      .select([
        'person.id',
        sql<Array<string | null>>`array[${sql.join(
          plainFields.map((name) => sql`person_version.attributes->>${name}`),
        )}]`.as('values'),
        sql<string | null>`encode(person_blind_index.digest, 'hex')`.as('phone_digest'),
      ])
      .where('person.status', 'in', [...options.statuses])
      .where('person.id', '>', after)
      .orderBy('person.id')
      .limit(pageRecords)
      .execute();
    yield rows.map((row) => ({ id: row.id, fields: fieldsOf(row.values, row.phone_digest) }));
    const last = rows.at(-1);
    if (last === undefined || rows.length < pageRecords) return;
    after = last.id;
  }
}

/** Active persons, for `amparo dedup run`. */
export function readActivePersons(
  db: Kysely<Database>,
  pageRecords: number = runLimits.readPageRecords,
): AsyncGenerator<DedupRecord[]> {
  return readDedupRecords(db, { statuses: ['active'], pageRecords });
}

function fieldsOf(
  values: ReadonlyArray<string | null>,
  phoneDigest: string | null,
): Record<string, string | null> {
  const fields: Record<string, string | null> = {};
  plainFields.forEach((name, index) => {
    fields[name] = values[index] ?? null;
  });
  fields.phone_digest = phoneDigest;
  return fields;
}

export async function countActivePersons(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('person')
    .select((eb) => eb.fn.countAll<string | number | bigint>().as('count'))
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function insertRun(db: Kysely<Database>, runId: string): Promise<void> {
  await db
    .insertInto('dedup_run')
    .values({
      id: runId,
      finished_at: null,
      persons: null,
      candidate_pairs: null,
      accepted_pairs: null,
      clusters: null,
      model: null,
    })
    .execute();
}

export interface FoundCluster {
  readonly personIds: readonly string[];
  readonly maxScore: number;
}

export interface RunTotals {
  readonly persons: number;
  readonly candidatePairs: number;
  readonly acceptedPairs: number;
  readonly model: DedupModel;
}

/** Writes the clusters (numbered from 1, best first) and marks the run finished. */
export async function finishRun(
  trx: Transaction<Database>,
  runId: string,
  clusters: readonly FoundCluster[],
  totals: RunTotals,
): Promise<void> {
  for (let start = 0; start < clusters.length; start += runLimits.insertClustersMax) {
    const page = clusters.slice(start, start + runLimits.insertClustersMax);
    await trx
      .insertInto('dedup_cluster')
      .values(
        page.map((cluster, offset) => ({
          run_id: runId,
          cluster_id: start + offset + 1,
          person_ids: [...cluster.personIds],
          max_score: cluster.maxScore,
          reviewed_by: null,
          reviewed_at: null,
        })),
      )
      .execute();
  }
  await trx
    .updateTable('dedup_run')
    .set({
      status: 'finished',
      finished_at: new Date(),
      persons: totals.persons,
      candidate_pairs: totals.candidatePairs,
      accepted_pairs: totals.acceptedPairs,
      clusters: clusters.length,
      model: JSON.stringify(totals.model),
    })
    .where('id', '=', runId)
    .execute();
}

/** Marks a run failed, so a crashed run is not taken for one still running. */
export async function failRun(db: Kysely<Database>, runId: string): Promise<void> {
  await db
    .updateTable('dedup_run')
    .set({ status: 'failed', finished_at: new Date() })
    .where('id', '=', runId)
    .execute();
}
