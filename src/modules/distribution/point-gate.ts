import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { Actor } from '../../shared/access/actor.js';
import type { Action } from '../../shared/access/policy.js';
import { auditActorOf } from '../../shared/audit/audit-actor.js';
import type { AuditEntryInput } from '../../shared/audit/audit-entry.js';
import type { AllowedWrite } from '../../shared/audit/write-audit-entry.js';
import { type Grant, guardPersonAccess } from '../access/index.js';
import type { DistributionContext, DistributionDependencies } from './distribution-context.js';
import { DistributionError, type DistributionErrorCode } from './distribution-error.js';
import type { PointKind, PointStatus } from './tables.js';

export interface PointRow {
  id: string;
  code: string;
  name: string;
  kind: PointKind;
  regionCode: string;
  municipalityCode: string | null;
  status: PointStatus;
}

export async function findPoint(db: Kysely<Database>, id: string): Promise<PointRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const row = await db
    .selectFrom('distribution_point')
    .select(['id', 'code', 'name', 'kind', 'region_code', 'municipality_code', 'status'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    kind: row.kind,
    regionCode: row.region_code,
    municipalityCode: row.municipality_code,
    status: row.status,
  };
}

/** An allowed write and the request it belongs to, for its audit entries. */
export interface RequestWrite extends AllowedWrite {
  requestId: string;
}

/** A point-level action the guard allowed: the point, the write for audit entries, the grant. */
export interface PointGrant {
  point: PointRow;
  write: RequestWrite;
  grant: Grant;
}

/**
 * The gate in front of everything done at a point: the decision table by role and purpose,
 * scoped by the point's state (outside it, or no such point: 404, as for a person record),
 * then, for a distribution operator, their assignment to this very point (403). Every refusal
 * is audited; the caller audits what it does once allowed.
 *
 * @example
 *   const { point, write } = await guardPoint(deps, context, 'distribution.stock_record', pointId);
 */
export async function guardPoint(
  deps: DistributionDependencies,
  context: DistributionContext,
  action: Action,
  pointId: string,
  options: { resource?: AuditEntryInput['resource']; countsAsPersonRead?: boolean } = {},
): Promise<PointGrant> {
  const resource = options.resource ?? { type: 'distribution_point', id: pointId };
  const point = await findPoint(deps.db, pointId);
  const grant = await guardPersonAccess(deps, {
    actor: context.actor,
    action,
    resource,
    regionCode: point?.regionCode ?? null,
    personId: null,
    exists: point !== undefined,
    purpose: context.purpose,
    requestId: context.requestId,
    // Entitlement answers at a point count against the operator's read quota (safeguard 10).
    countsAsPersonRead: options.countsAsPersonRead ?? false,
  });
  // Safe: the guard refuses a missing actor and a missing point.
  const actor = context.actor as Actor;
  const found = point as PointRow;
  const write: RequestWrite = {
    actor,
    action,
    regionCode: found.regionCode,
    grant,
    requestId: context.requestId,
  };
  if (grant.principal === 'distribution_operator' && actor.kind === 'operator') {
    const assigned = await deps.db
      .selectFrom('distribution_point_operator')
      .select('operator_id')
      .where('point_id', '=', found.id)
      .where('operator_id', '=', actor.operatorId)
      .where('active', '=', true)
      .executeTakeFirst();
    if (assigned === undefined) {
      await refuseAudited(
        deps,
        write,
        resource,
        'AMP_POINT_NOT_ASSIGNED',
        'You are not assigned to this point',
      );
    }
  }
  return { point: found, write, grant };
}

/**
 * Audits a refusal after the gate allowed the action (a closed point, a bad card, too much
 * asked) and throws it: nothing was written, and the attempt is in the audit log.
 */
export async function refuseAudited(
  deps: DistributionDependencies,
  write: RequestWrite,
  resource: AuditEntryInput['resource'],
  code: DistributionErrorCode,
  message: string,
  errors?: DistributionError['errors'],
): Promise<never> {
  await deps.audit.append(refusalEntry(write, resource, code));
  throw new DistributionError(code, message, errors);
}

export function refusalEntry(
  write: RequestWrite,
  resource: AuditEntryInput['resource'],
  reasonCode: string,
): AuditEntryInput {
  return {
    actor: auditActorOf(write.actor, write.grant.principal, write.regionCode),
    action: write.action,
    resource,
    purpose: write.grant.purpose,
    fields: [],
    outcome: 'denied',
    reasonCode,
    requestId: write.requestId,
  };
}
