import type { Options } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { AmparoError, type ErrorCode } from '../../platform/errors.js';
import type { Actor, OperatorActor, Purpose } from '../../shared/access/actor.js';
import type { Role } from '../../shared/access/roles.js';
import { auditActorOf } from '../../shared/audit/audit-actor.js';
import type { AuditEntryInput } from '../../shared/audit/audit-entry.js';
import { findState } from '../geography/index.js';
import type { OperatorSummary } from './operator-admin-repository.js';
import type { OperatorChangeRow } from './operator-grant-repository.js';
import { guardPersonAccess, type TransactionalAuditRecorder } from './person-access-guard.js';

/**
 * What account administration shares: its dependencies, the gate (`operator.manage`), the
 * views it answers with and the shape of its audit entries (docs/ACCESS.md).
 */
export interface OperatorAdminDependencies {
  db: Kysely<Database>;
  audit: TransactionalAuditRecorder;
  masterKey: Buffer;
  hashOptions: Options;
  now: () => Date;
}

export interface AdminContext {
  actor: Actor | null;
  purpose: Purpose | null;
  requestId: string;
}

export interface OperatorChangeView {
  id: string;
  operatorId: string;
  operatorUsername: string;
  addRoles: Role[];
  addRegions: string[];
  newCredentials: boolean;
  requestedBy: { id: string; username: string };
  requestedAt: string;
  status: OperatorChangeRow['status'];
  decidedBy: string | null;
  decidedAt: string | null;
}

export interface OperatorView {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  regions: string[];
  createdAt: string;
  disabledAt: string | null;
  /** True until the person has set their own password and TOTP secret. */
  awaitingEnrolment: boolean;
  /** The grant waiting for a second administrator, if any. */
  pendingChange: OperatorChangeView | null;
}

/** Halves of an enrolment code, each shown once to the administrator who may see it. */
export interface EnrolmentCodeView {
  first: string | null;
  second: string | null;
}

/** What every account-changing call answers. */
export interface AdminResult {
  operator: OperatorView;
  change: OperatorChangeView | null;
  enrolmentCode: EnrolmentCodeView | null;
}

export function changeView(row: OperatorChangeRow): OperatorChangeView {
  return {
    id: row.id,
    operatorId: row.operatorId,
    operatorUsername: row.operatorUsername,
    addRoles: row.addRoles,
    addRegions: row.addRegions,
    newCredentials: row.newCredentials,
    requestedBy: { id: row.requestedBy, username: row.requestedByUsername },
    requestedAt: row.requestedAt.toISOString(),
    status: row.status,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt?.toISOString() ?? null,
  };
}

export function operatorView(
  summary: OperatorSummary,
  extra: { awaitingEnrolment: boolean; pendingChange: OperatorChangeRow | undefined },
): OperatorView {
  return {
    ...summary,
    createdAt: summary.createdAt.toISOString(),
    disabledAt: summary.disabledAt?.toISOString() ?? null,
    awaitingEnrolment: extra.awaitingEnrolment,
    pendingChange: extra.pendingChange ? changeView(extra.pendingChange) : null,
  };
}

/** The gate of every call: `operator.manage`, audited when refused. */
export async function decide(
  deps: OperatorAdminDependencies,
  context: AdminContext,
  id: string | null,
  exists = true,
) {
  return guardPersonAccess(deps, {
    actor: context.actor,
    action: 'operator.manage',
    resource: { type: 'operator', id },
    regionCode: null,
    personId: null,
    exists,
    purpose: context.purpose,
    requestId: context.requestId,
    countsAsPersonRead: false,
  });
}

/** An audit entry of account administration, shaped like the gate's own. */
export function adminEntry(
  context: AdminContext,
  action: string,
  operatorId: string,
  fields: readonly string[],
  refusal: ErrorCode | null = null,
): AuditEntryInput {
  const actor = context.actor;
  return {
    // The gate (`decide`) lets only operators and system jobs this far; a system job holds no
    // administrator role.
    actor: auditActorOf(actor, actor?.kind === 'operator' ? 'administrator' : null, null),
    action,
    resource: { type: 'operator', id: operatorId },
    purpose: context.purpose,
    fields,
    outcome: refusal === null ? 'allowed' : 'denied',
    reasonCode: refusal,
    requestId: context.requestId,
  };
}

/** Audits a refusal of a step the gate allowed, then throws it. */
export async function refuseStep(
  deps: OperatorAdminDependencies,
  context: AdminContext,
  step: { action: string; operatorId: string },
  code: ErrorCode,
  detail: string,
): Promise<never> {
  await deps.audit.append(adminEntry(context, step.action, step.operatorId, [], code));
  throw new AmparoError(code, { detail });
}

/** The administrator behind a grant step: two people are the safeguard, so never a system job. */
export async function humanAdministrator(
  deps: OperatorAdminDependencies,
  context: AdminContext,
  step: { action: string; operatorId: string },
): Promise<OperatorActor> {
  const actor = context.actor;
  if (actor?.kind === 'operator') return actor;
  return refuseStep(
    deps,
    context,
    step,
    'AMP_FORBIDDEN',
    'Roles and regions are granted in the console: one administrator asks, a different one approves',
  );
}

/** The audit `fields` of a grant: what it adds. */
export function grantFields(change: {
  addRoles: readonly string[];
  addRegions: readonly string[];
  newCredentials: boolean;
}): string[] {
  return [
    ...(change.addRoles.length > 0 ? ['roles'] : []),
    ...(change.addRegions.length > 0 ? ['regions'] : []),
    ...(change.newCredentials ? ['password', 'totp_secret'] : []),
  ];
}

/** Sorted without repeats: the stored form of roles and regions. */
export function sortedSet<T extends string>(values: readonly T[]): T[] {
  return [...new Set(values)].sort();
}

/** Region codes must be states of the shipped divisions file. */
export function checkRegions(regions: readonly string[]): void {
  const unknown = regions.filter((code) => findState(code) === undefined);
  if (unknown.length > 0) {
    throw new AmparoError('AMP_VALIDATION', {
      detail: 'Unknown region codes',
      errors: [{ field: 'body/regions', reason: `unknown: ${unknown.join(', ')}` }],
    });
  }
}
