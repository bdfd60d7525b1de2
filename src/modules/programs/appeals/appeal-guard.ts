import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { Actor, Purpose } from '../../../shared/access/actor.js';
import type { Action } from '../../../shared/access/policy.js';
import { auditActorOf } from '../../../shared/audit/audit-actor.js';
import type { AuditEntryInput } from '../../../shared/audit/audit-entry.js';
import {
  type Grant,
  guardPersonAccess,
  type TransactionalAuditRecorder,
} from '../../access/index.js';
import { personStanding } from '../../registry/index.js';

/** What the appeal services need: the database and the audit log (inside transactions too). */
export interface AppealDependencies {
  db: Kysely<Database>;
  audit: TransactionalAuditRecorder;
  /**
   * Opens the sealed facts a rule reads (`disability_status`) for the explanation, so it
   * decides them as the batch does; without it they are explained as unknown.
   */
  masterKey?: Buffer;
}

export interface AppealRequest {
  actor: Actor | null;
  purpose: Purpose | null;
  requestId: string;
}

/**
 * Asks the person-access guard about an action on a person (refusals audited there; outside
 * the actor's scope or missing answers 404 alike). `regionCode` overrides the person's
 * current region: an appeal is decided in the region where it was filed.
 */
export async function guardAppealPerson(
  deps: AppealDependencies,
  request: AppealRequest,
  action: Action,
  person: { personId: string; regionCode?: string | undefined; exists?: boolean },
  countsAsPersonRead: boolean,
): Promise<{ grant: Grant; regionCode: string }> {
  const standing =
    person.exists === false ? undefined : await personStanding(deps.db, person.personId);
  const regionCode = person.regionCode ?? standing?.regionCode ?? null;
  const grant = await guardPersonAccess(deps, {
    actor: request.actor,
    action,
    resource: { type: 'person', id: person.personId },
    regionCode,
    personId: standing?.id ?? null,
    exists: standing !== undefined,
    purpose: request.purpose,
    requestId: request.requestId,
    countsAsPersonRead,
  });
  // Safe: the guard refused (404) when the person does not exist, so a region was found.
  return { grant, regionCode: regionCode as string };
}

/** The audit entry of an appeal step, written inside the step's transaction. */
export async function auditStep(
  deps: AppealDependencies,
  trx: Transaction<Database>,
  request: AppealRequest,
  step: { grant: Grant; action: Action; personId: string; regionCode: string; fields: string[] },
): Promise<void> {
  const entry: AuditEntryInput = {
    actor: auditActorOf(request.actor, step.grant.principal, step.regionCode),
    action: step.action,
    resource: { type: 'person', id: step.personId },
    purpose: request.purpose,
    fields: step.fields,
    outcome: 'allowed',
    reasonCode: null,
    requestId: request.requestId,
  };
  await deps.audit.appendInTransaction(trx, [entry]);
}

/** The step's actor as the person will see it: kind, the role it acted under, the id. */
export function stepActor(request: AppealRequest, grant: Grant) {
  const actor = auditActorOf(request.actor, grant.principal, null);
  return { actor_kind: actor.kind, actor_role: actor.role, actor_id: actor.id };
}
