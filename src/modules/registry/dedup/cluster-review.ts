import type { Kysely } from 'kysely';
import { limits } from '../../../limits.js';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import type { Actor, Purpose } from '../../../shared/access/actor.js';
import { type AuditRecorder, guardRegionalAccess } from '../../access/index.js';
import {
  type ClusterItem,
  markClusterReviewed,
  openClusterRow,
  openClusters,
} from './cluster-repository.js';

/**
 * The supervisor's side of `amparo dedup run`: the open clusters a run found, and marking a
 * cluster reviewed once its records were merged (through `POST /api/persons/:id/merge`, which
 * audits and checks each merge) or judged to be different people.
 *
 * A listing carries record ids, statuses and regions, never attributes: the console opens each
 * record with a purpose, so every look at a person is an audited person read. A cluster is
 * shown only to a supervisor who may merge in the region of every one of its records. The SQL
 * is in cluster-repository.ts.
 */
export type { ClusterItem };

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
  const marked = await markClusterReviewed(deps.db, context.runId, context.clusterId, operatorId);
  if (!marked) {
    throw new AmparoError('AMP_CONFLICT', { detail: 'This cluster was already reviewed' });
  }
  await allowed.record([]);
  return { runId: context.runId, clusterId: context.clusterId, status: 'reviewed' };
}
