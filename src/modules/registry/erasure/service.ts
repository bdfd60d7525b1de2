import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError, type ErrorCode } from '../../../platform/errors.js';
import type { Actor, OperatorActor, Purpose } from '../../access/actor.js';
import { guardPersonAccess } from '../../access/person-access-guard.js';
import { authorize } from '../../access/policy.js';
import type { AuditEntryInput } from '../../audit/audit-entry.js';
import type { AuditLog } from '../../audit/audit-log.js';
import { listAttributes } from '../catalogue/catalogue.js';
import { findPerson } from '../repository.js';
import { erasureLimits } from './limits.js';
import {
  type ErasureRequestRow,
  executeErasure,
  findErasureRequest,
  hasPendingErasureRequest,
  insertErasureRequest,
  isUniqueViolation,
  listErasureRequests,
  withdrawErasureRequest,
} from './repository.js';
import type { ErasureReasonCode, ErasureStatus } from './tables.js';

export interface ErasureDependencies {
  db: Kysely<Database>;
  /** The audit log: refusals are appended on their own, decisions inside their transaction. */
  audit: Pick<AuditLog, 'append' | 'appendInTransaction'>;
  /** Time of requests and erasures; the wall clock when absent. */
  clock?: () => Date;
}

/** A request as shown to administrators: identifiers, ground and dates, no attributes. */
export interface ErasureRequestView {
  id: string;
  personId: string;
  uin: string;
  regionCode: string;
  reasonCode: ErasureReasonCode;
  reference: string | null;
  status: ErasureStatus;
  requestedBy: { id: string; username: string };
  requestedAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
  executedAt: string | null;
  withdrawnBy: string | null;
  withdrawnAt: string | null;
}

/** The only purpose erasure is decided for (docs/ACCESS.md). */
const erasurePurpose: Purpose = 'appeal';

/** Catalogue attributes made unreadable by destroying the data key, named in the audit entry. */
const sealedAttributeNames = listAttributes('person')
  .filter((attribute) => attribute.sealed)
  .map((attribute) => attribute.name)
  .sort();

export interface ErasureRequestProps {
  actor: Actor | null;
  personId: string;
  reasonCode: ErasureReasonCode;
  reference: string | null;
  purpose: Purpose | null;
  requestId: string;
}

/**
 * First step of a lawful erasure: an administrator of the person's region asks for it, on a
 * fixed legal ground. Nothing is destroyed yet; a different administrator must approve.
 *
 * @example
 *   await erasureRequester(deps, { actor, personId, reasonCode: 'court_order',
 *     reference: 'TSJ-2026-00123', purpose: 'appeal', requestId });
 */
export async function erasureRequester(
  deps: ErasureDependencies,
  props: ErasureRequestProps,
): Promise<ErasureRequestView> {
  const person = await findPerson(deps.db, { personId: props.personId });
  const resource = { type: 'person' as const, id: props.personId };
  const grant = await guardPersonAccess(deps, {
    actor: props.actor,
    action: 'person.erasure_request',
    resource,
    regionCode: person?.regionCode ?? null,
    personId: person?.id ?? null,
    exists: person !== undefined,
    purpose: props.purpose,
    requestId: props.requestId,
    countsAsPersonRead: false,
  });
  // Safe: the guard refuses (throws) when the person does not exist.
  const found = person as NonNullable<typeof person>;
  const context = { action: 'person.erasure_request', resource, regionCode: found.regionCode };
  const admin = await humanAdministrator(deps, props, context);
  const conflict = await requestConflict(deps.db, found);
  if (conflict !== null) await refuse(deps, props, admin, context, 'AMP_CONFLICT', conflict);
  const id = randomUUID();
  const at = now(deps);
  try {
    await deps.db.transaction().execute(async (trx) => {
      await insertErasureRequest(trx, {
        id,
        personId: found.id,
        requestedBy: admin.operatorId,
        reasonCode: props.reasonCode,
        reference: props.reference,
        requestedAt: at,
      });
      await deps.audit.appendInTransaction(trx, [
        entry(admin, { ...context, purpose: grant.purpose, requestId: props.requestId }),
      ]);
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await refuse(deps, props, admin, context, 'AMP_CONFLICT', pendingDetail);
  }
  return view(await mustFind(deps.db, id));
}

const pendingDetail = 'An erasure request for this person is already waiting for approval';

async function requestConflict(
  db: Kysely<Database>,
  person: { id: string; status: string },
): Promise<string | null> {
  if (person.status === 'erased') return 'This person has already been erased';
  if (person.status === 'merged') {
    return 'This record was merged into another; request erasure of the surviving record, which erases the records merged into it too';
  }
  return (await hasPendingErasureRequest(db, person.id)) ? pendingDetail : null;
}

export interface ErasureDecisionProps {
  actor: Actor | null;
  erasureId: string;
  purpose: Purpose | null;
  requestId: string;
}

/**
 * Second step: a different administrator approves, and the erasure is executed at once in
 * one transaction: the data key is destroyed, blind indexes are nulled, the person becomes
 * `erased`, the request `executed`, and the approval and execution are audited. Either all
 * of it happens or none.
 *
 * @example
 *   await erasureApprover(deps, { actor: secondAdmin, erasureId, purpose: 'appeal', requestId });
 */
export async function erasureApprover(
  deps: ErasureDependencies,
  props: ErasureDecisionProps,
): Promise<ErasureRequestView> {
  const { request, admin, context, purpose } = await decide(deps, props, 'person.erasure_approve');
  if (request.requestedBy === admin.operatorId) {
    await refuse(deps, props, admin, context, 'AMP_FORBIDDEN', sameAdministratorDetail);
  }
  const at = now(deps);
  const executed = await deps.db.transaction().execute(async (trx) => {
    const personId = await executeErasure(trx, {
      id: request.id,
      approvedBy: admin.operatorId,
      at,
    });
    if (personId === undefined) return false;
    const common = { purpose, requestId: props.requestId, regionCode: request.regionCode };
    await deps.audit.appendInTransaction(trx, [
      entry(admin, { ...common, action: 'person.erasure_approve', resource: context.resource }),
      entry(admin, {
        ...common,
        action: 'person.erasure_execute',
        resource: { type: 'person', id: request.personId },
        fields: sealedAttributeNames,
      }),
    ]);
    return true;
  });
  if (!executed) await refuse(deps, props, admin, context, 'AMP_CONFLICT', notPendingDetail);
  return view(await mustFind(deps.db, request.id));
}

const sameAdministratorDetail =
  'The administrator who requested an erasure cannot approve it: a different administrator must';
const notPendingDetail = 'This erasure request is no longer pending';

/**
 * Withdraws a pending request: the requester changing their mind, or another administrator
 * of the region stopping it. Nothing about the person changes.
 *
 * @example
 *   await erasureWithdrawer(deps, { actor, erasureId, purpose: 'appeal', requestId });
 */
export async function erasureWithdrawer(
  deps: ErasureDependencies,
  props: ErasureDecisionProps,
): Promise<ErasureRequestView> {
  const { request, admin, context, purpose } = await decide(deps, props, 'person.erasure_request');
  const withdrawn = await deps.db.transaction().execute(async (trx) => {
    const changed = await withdrawErasureRequest(trx, {
      id: request.id,
      withdrawnBy: admin.operatorId,
      at: now(deps),
    });
    if (!changed) return false;
    await deps.audit.appendInTransaction(trx, [
      entry(admin, {
        action: 'person.erasure_withdraw',
        resource: context.resource,
        regionCode: request.regionCode,
        purpose,
        requestId: props.requestId,
      }),
    ]);
    return true;
  });
  if (!withdrawn) await refuse(deps, props, admin, context, 'AMP_CONFLICT', notPendingDetail);
  return view(await mustFind(deps.db, request.id));
}

/**
 * The shared front of approving and withdrawing: finds the request, passes the one gate for
 * its person (a request about a person outside the administrator's regions does not exist
 * for them), and refuses a request that is no longer pending.
 */
async function decide(
  deps: ErasureDependencies,
  props: ErasureDecisionProps,
  action: 'person.erasure_approve' | 'person.erasure_request',
) {
  const request = await findErasureRequest(deps.db, props.erasureId);
  const resource = request
    ? { type: 'person' as const, id: request.personId }
    : { type: 'erasure' as const, id: props.erasureId };
  const purpose = props.purpose ?? erasurePurpose;
  const grant = await guardPersonAccess(deps, {
    actor: props.actor,
    action,
    resource,
    regionCode: request?.regionCode ?? null,
    personId: request?.personId ?? null,
    exists: request !== undefined,
    purpose,
    requestId: props.requestId,
    countsAsPersonRead: false,
  });
  // Safe: the guard refuses (throws) when the request does not exist.
  const found = request as ErasureRequestRow;
  const context = { action, resource, regionCode: found.regionCode };
  const admin = await humanAdministrator(deps, props, context);
  if (found.status !== 'pending') {
    await refuse(deps, props, admin, context, 'AMP_CONFLICT', notPendingDetail);
  }
  return { request: found, admin, context, purpose: grant.purpose };
}

export interface ErasureListProps {
  actor: Actor | null;
  status: ErasureStatus;
  limit: number | null;
  requestId: string;
}

/**
 * Requests in a status about persons of the administrator's regions, oldest first. Shows
 * the ID number so the approver can check it against the order or request on file, and no
 * attribute of the person. The listing itself is audited.
 *
 * @example
 *   const pending = await erasureLister(deps, { actor, status: 'pending', limit: null, requestId });
 */
export async function erasureLister(
  deps: ErasureDependencies,
  props: ErasureListProps,
): Promise<ErasureRequestView[]> {
  const { actor } = props;
  if (actor === null) throw new AmparoError('AMP_UNAUTHENTICATED');
  const mayApprove = (regionCode: string | null) =>
    authorize(actor, 'person.erasure_approve', { regionCode, personId: null }, erasurePurpose);
  const decision = mayApprove(null);
  if (actor.kind !== 'operator' || (!decision.allowed && decision.refusal !== 'outside_scope')) {
    throw new AmparoError('AMP_FORBIDDEN', { detail: 'Only administrators see erasure requests' });
  }
  const limit = Math.min(
    props.limit ?? erasureLimits.listPageSizeDefault,
    erasureLimits.listPageSizeMax,
  );
  const rows = await listErasureRequests(deps.db, {
    status: props.status,
    regionCodes: actor.regions,
    limit,
  });
  const visible = rows.filter((row) => mayApprove(row.regionCode).allowed);
  await deps.audit.append(
    entry(actor, {
      action: 'person.erasure_list',
      resource: { type: 'erasure', id: null },
      regionCode: null,
      purpose: erasurePurpose,
      requestId: props.requestId,
    }),
  );
  return visible.map(view);
}

interface EntryContext {
  action: string;
  resource: AuditEntryInput['resource'];
  regionCode: string | null;
}

/**
 * Erasure is decided by people: a system job (which the policy lets do anything) may not
 * request or approve it, since two humans are the safeguard.
 */
async function humanAdministrator(
  deps: ErasureDependencies,
  props: { actor: Actor | null; purpose: Purpose | null; requestId: string },
  context: EntryContext,
): Promise<OperatorActor> {
  const { actor } = props;
  if (actor?.kind === 'operator') return actor;
  await deps.audit.append({
    actor: {
      kind: 'system',
      id: actor?.kind === 'system' ? actor.job : 'unknown',
      role: null,
      region: null,
    },
    action: context.action,
    resource: context.resource,
    purpose: props.purpose,
    fields: [],
    outcome: 'denied',
    reasonCode: 'AMP_FORBIDDEN',
    requestId: props.requestId,
  });
  throw new AmparoError('AMP_FORBIDDEN', {
    detail: 'Erasure is requested and approved by administrators signed in as themselves',
  });
}

/** Audits a refusal made after the gate let the administrator through, then throws it. */
async function refuse(
  deps: ErasureDependencies,
  props: { purpose: Purpose | null; requestId: string },
  admin: OperatorActor,
  context: EntryContext,
  code: ErrorCode,
  detail: string,
): Promise<never> {
  await deps.audit.append({
    ...entry(admin, { ...context, purpose: props.purpose, requestId: props.requestId }),
    outcome: 'denied',
    reasonCode: code,
    actor: { kind: 'operator', id: admin.operatorId, role: null, region: null },
  });
  throw new AmparoError(code, { detail });
}

function entry(
  admin: OperatorActor,
  input: EntryContext & { purpose: Purpose | null; requestId: string; fields?: string[] },
): AuditEntryInput {
  return {
    actor: {
      kind: 'operator',
      id: admin.operatorId,
      role: 'administrator',
      region: input.regionCode,
    },
    action: input.action,
    resource: input.resource,
    purpose: input.purpose,
    fields: input.fields ?? [],
    outcome: 'allowed',
    reasonCode: null,
    requestId: input.requestId,
  };
}

function now(deps: ErasureDependencies): Date {
  return deps.clock?.() ?? new Date();
}

async function mustFind(db: Kysely<Database>, id: string): Promise<ErasureRequestRow> {
  const row = await findErasureRequest(db, id);
  if (!row) throw new Error(`erasure request ${id} vanished after it was written`);
  return row;
}

function view(row: ErasureRequestRow): ErasureRequestView {
  return {
    id: row.id,
    personId: row.personId,
    uin: row.uin,
    regionCode: row.regionCode,
    reasonCode: row.reasonCode,
    reference: row.reference,
    status: row.status,
    requestedBy: { id: row.requestedBy, username: row.requestedByUsername },
    requestedAt: row.requestedAt.toISOString(),
    approvedBy: row.approvedBy,
    approvedAt: row.approvedAt?.toISOString() ?? null,
    executedAt: row.executedAt?.toISOString() ?? null,
    withdrawnBy: row.withdrawnBy,
    withdrawnAt: row.withdrawnAt?.toISOString() ?? null,
  };
}
