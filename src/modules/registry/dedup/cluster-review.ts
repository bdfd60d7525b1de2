import { type Kysely, sql } from 'kysely';
import { limits } from '../../../limits.js';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import type { Actor, Purpose } from '../../../shared/access/actor.js';
import { type AuditRecorder, guardRegionalAccess } from '../../access/person-access-guard.js';

/**
 * The supervisor's side of `amparo dedup run`: the open clusters a run found, and marking a
 * cluster reviewed once its records were merged (through `POST /api/persons/:id/merge`, which
 * audits and checks each merge) or judged to be different people.
 *
 * A listing carries record ids, statuses and regions, never attributes: the console opens each
 * record with a purpose, so every look at a person is an audited person read. A cluster is
 * shown only to a supervisor who may merge in the region of every one of its records.
 */
export interface ClusterItem {
  runId: string;
  clusterId: number;
  /** Highest score inside the cluster (log2 Bayes factor, bits). */
  maxScore: number;
  persons: Array<{ personId: string; status: string; regionCode: string }>;
}

export interface ClusterDependencies {
  db: Kysely<Database>;
  audit: AuditRecorder;
}

interface ClusterContext {
  actor: Actor | null;
  purpose: Purpose | null;
  requestId: string;
}

/** Regions where the actor may merge for the purpose; the listing is audited by the guard. */
async function mergeRegions(
  deps: ClusterDependencies,
  context: ClusterContext,
  resourceId: string | null,
): Promise<{ regions: string[]; record(fields: readonly string[]): Promise<void> }> {
  const { grant, regions } = await guardRegionalAccess(deps, {
    actor: context.actor,
    action: 'person.merge',
    resource: { type: 'person', id: resourceId },
    purpose: context.purpose,
    requestId: context.requestId,
  });
  return { regions, record: (fields) => grant.record(fields) };
}

/**
 * Open clusters, highest score first, whose records all lie in the supervisor's regions.
 *
 * @example
 *   const { items } = await clusterLister(deps, { actor, purpose: 'enrolment', requestId });
 */
export async function clusterLister(
  deps: ClusterDependencies,
  context: ClusterContext & { limit?: number },
): Promise<{ items: ClusterItem[] }> {
  const allowed = await mergeRegions(deps, context, null);
  const limit = Math.min(
    context.limit ?? limits.pagination.pageSizeDefault,
    limits.pagination.pageSizeMax,
  );
  const items =
    allowed.regions.length === 0 ? [] : await openClusters(deps.db, allowed.regions, limit);
  await allowed.record([]);
  return { items };
}

/** A cluster's records (`c`), oldest first: id, status and region, never an attribute. */
const clusterPersons = sql<ClusterItem['persons']>`(select jsonb_agg(jsonb_build_object(
    'personId', p.id, 'status', p.status, 'regionCode', p.region_code) order by p.created_at, p.id)
  from person p where p.id = any (c.person_ids))`;

async function openClusters(
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

/**
 * Marks a cluster reviewed. Refused (409) while two of its records are still active: merge
 * them first, or say they are different people with `distinct: true`.
 *
 * @example
 *   await clusterReviewer(deps, { actor, purpose: 'enrolment', requestId, runId, clusterId: 3,
 *     distinct: false });
 */
export async function clusterReviewer(
  deps: ClusterDependencies,
  context: ClusterContext & { runId: string; clusterId: number; distinct: boolean },
): Promise<{ runId: string; clusterId: number; status: 'reviewed' }> {
  const allowed = await mergeRegions(deps, context, null);
  const cluster = (await openClusterRow(deps.db, context.runId, context.clusterId)) ?? null;
  const outside = cluster?.persons.some((person) => !allowed.regions.includes(person.regionCode));
  if (cluster === null || outside)
    throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such cluster' });
  if (cluster.status !== 'open') {
    throw new AmparoError('AMP_CONFLICT', { detail: 'This cluster was already reviewed' });
  }
  const active = cluster.persons.filter((person) => person.status === 'active').length;
  if (active > 1 && !context.distinct) {
    throw new AmparoError('AMP_CONFLICT', {
      detail:
        'Several records of this cluster are still active: merge them, or mark them as different people',
      errors: [{ field: 'body/distinct', reason: 'records are still active' }],
    });
  }
  const operatorId = context.actor?.kind === 'operator' ? context.actor.operatorId : null;
  const updated = await deps.db
    .updateTable('dedup_cluster')
    .set({ status: 'reviewed', reviewed_by: operatorId, reviewed_at: sql<Date>`now()` })
    .where('run_id', '=', context.runId)
    .where('cluster_id', '=', context.clusterId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (updated.numUpdatedRows === 0n) {
    throw new AmparoError('AMP_CONFLICT', { detail: 'This cluster was already reviewed' });
  }
  await allowed.record([]);
  return { runId: context.runId, clusterId: context.clusterId, status: 'reviewed' };
}

async function openClusterRow(db: Kysely<Database>, runId: string, clusterId: number) {
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
