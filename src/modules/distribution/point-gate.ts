import { type Kysely, sql } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { Actor } from '../../shared/access/actor.js';
import type { Action } from '../../shared/access/policy.js';
import { auditActorOf } from '../../shared/audit/audit-actor.js';
import type { AuditEntryInput } from '../../shared/audit/audit-entry.js';
import type { AllowedWrite } from '../../shared/audit/write-audit-entry.js';
import { type Grant, guardPersonAccess } from '../access/index.js';
import {
  type DistributionContext,
  type DistributionDependencies,
  nowOf,
} from './distribution-context.js';
import { DistributionError, type DistributionErrorCode } from './distribution-error.js';
import { cachedPointGate, cachePointGate } from './point-gate-cache.js';
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
  return (await findPointFor(db, id, null))?.point;
}

type PointReading = { point: PointRow; assigned: boolean; servedProgramIds: string[] } | undefined;

/** `findPointFor` through the gate's cache (point-gate-cache.ts: at most 2 s old). */
async function gateReading(
  deps: DistributionDependencies,
  id: string,
  operatorId: string | null,
): Promise<PointReading> {
  const key = `${id}|${operatorId ?? ''}`;
  const now = nowOf(deps);
  const cached = cachedPointGate<{ reading: PointReading }>(key, now);
  if (cached !== undefined) return cached.reading;
  const reading = await findPointFor(deps.db, id, operatorId);
  cachePointGate(key, { reading }, now);
  return reading;
}

/**
 * The point, whether this operator is assigned to it, and the programs it serves, in one
 * statement: the gate runs before every request at a point, and a redemption needs all three
 * (bench/distribution-redeem-profile.ts counted three round trips where one does).
 */
async function findPointFor(
  db: Kysely<Database>,
  id: string,
  operatorId: string | null,
): Promise<PointReading> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const row = await db
    .selectFrom('distribution_point as p')
    .select([
      'p.id',
      'p.code',
      'p.name',
      'p.kind',
      'p.region_code',
      'p.municipality_code',
      'p.status',
      sql<boolean>`exists (select 1 from distribution_point_operator o
        where o.point_id = p.id and o.operator_id = ${operatorId} and o.active)`.as('assigned'),
      sql<string[]>`array(select s.program_id::text from distribution_point_program s
        where s.point_id = p.id and s.active order by s.program_id)`.as('served'),
    ])
    .where('p.id', '=', id)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    point: pointRowOf(row),
    assigned: row.assigned,
    servedProgramIds: row.served,
  };
}

/** A point as its table row says, in the module's names. */
export function pointRowOf(row: {
  id: string;
  code: string;
  name: string;
  kind: PointKind;
  region_code: string;
  municipality_code: string | null;
  status: PointStatus;
}): PointRow {
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
  /** The programs the point serves (active allow-list rows), read with the point. */
  servedProgramIds: string[];
  write: RequestWrite;
  grant: Grant;
}

/**
 * The gate in front of everything done at a point: the decision table by role and purpose,
 * scoped by the point's state (outside it, or no such point: 404, as for a person record),
 * then, for a distribution operator, their assignment to this very point (403). Every refusal
 * is audited; the caller audits what it does once allowed. The point's reading may come from
 * the process's cache (point-gate-cache.ts: at most `limits.distribution.pointGateCacheMs` old).
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
  const operatorId = context.actor?.kind === 'operator' ? context.actor.operatorId : null;
  const found = await gateReading(deps, pointId, operatorId);
  const point = found?.point;
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
  const { assigned, servedProgramIds } = found as NonNullable<typeof found>;
  const write: RequestWrite = {
    actor,
    action,
    regionCode: (point as PointRow).regionCode,
    grant,
    requestId: context.requestId,
  };
  if (grant.principal === 'distribution_operator' && actor.kind === 'operator') {
    if (!assigned) {
      await refuseAudited(
        deps,
        write,
        resource,
        'AMP_POINT_NOT_ASSIGNED',
        'You are not assigned to this point',
      );
    }
  }
  return { point: point as PointRow, servedProgramIds, write, grant };
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
