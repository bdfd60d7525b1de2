import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';

/** All SQL of the duplicate clusters a dedup run leaves for review (`dedup_cluster`). */

export interface ClusterItem {
  runId: string;
  clusterId: number;
  /** Highest score inside the cluster (log2 Bayes factor, bits). */
  maxScore: number;
  persons: Array<{ personId: string; status: string; regionCode: string }>;
}

/** A cluster's records (`c`), oldest first: id, status and region, never an attribute. */
const clusterPersons = sql<ClusterItem['persons']>`(select jsonb_agg(jsonb_build_object(
    'personId', p.id, 'status', p.status, 'regionCode', p.region_code) order by p.created_at, p.id)
  from person p where p.id = any (c.person_ids))`;

export async function openClusters(
  db: Kysely<Database>,
  regions: readonly string[],
  limit: number,
): Promise<ClusterItem[]> {
  const rows = await sql<{
    run_id: string;
    cluster_id: number;
    max_score: number;
    persons: Array<{ personId: string; status: string; regionCode: string }>;
  }>`
    select c.run_id, c.cluster_id, c.max_score,
      ${clusterPersons} as persons
    from dedup_cluster c
    where c.status = 'open'
      and not exists (select 1 from person p
                      where p.id = any (c.person_ids) and p.region_code <> all (${[...regions]}::text[]))
    order by c.max_score desc, c.run_id, c.cluster_id
    limit ${limit}`.execute(db);
  return rows.rows.map((row) => ({
    runId: row.run_id,
    clusterId: row.cluster_id,
    maxScore: Number(row.max_score),
    persons: row.persons,
  }));
}

export async function openClusterRow(db: Kysely<Database>, runId: string, clusterId: number) {
  const rows = await sql<{
    status: string;
    persons: Array<{ personId: string; status: string; regionCode: string }>;
  }>`
    select c.status,
      ${clusterPersons} as persons
    from dedup_cluster c where c.run_id = ${runId}::uuid and c.cluster_id = ${clusterId}`.execute(
    db,
  );
  return rows.rows[0];
}

/** Marks an open cluster reviewed; false when it was no longer open (reviewed meanwhile). */
export async function markClusterReviewed(
  db: Kysely<Database>,
  runId: string,
  clusterId: number,
  operatorId: string | null,
): Promise<boolean> {
  const updated = await db
    .updateTable('dedup_cluster')
    .set({ status: 'reviewed', reviewed_by: operatorId, reviewed_at: sql<Date>`now()` })
    .where('run_id', '=', runId)
    .where('cluster_id', '=', clusterId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return updated.numUpdatedRows > 0n;
}
