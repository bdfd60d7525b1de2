// The erasure workflow (docs/ERASURE.md): request, approve-and-execute, withdraw. Every verb
// passes the person access gate, refuses with an audited reason, and writes its own audit
// entry in the same transaction as its change.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { isUniqueViolation } from '../../../platform/db/unique-violation.js';
import { AmparoError } from '../../../platform/errors.js';
import type { Actor, Purpose } from '../../../shared/access/actor.js';
import { guardPersonAccess } from '../../access/index.js';
import { listAttributes } from '../catalogue/catalogue.js';
import { findPerson } from '../persons/repository.js';
import { isValidUin } from '../uin/index.js';
import { entry, humanAdministrator, refuse } from './erasure-audit.js';
import {
  type ErasureDependencies,
  type ErasureRequestView,
  erasurePurpose,
  mustFind,
  now,
  view,
} from './erasure-view.js';
import {
  type ErasureRequestRow,
  executeErasure,
  findErasureRequest,
  hasPendingErasureRequest,
  insertErasureRequest,
  withdrawErasureRequest,
} from './repository.js';
import type { ErasureReasonCode } from './tables.js';

export { erasureLister } from './erasure-lister.js';
export type { ErasureDependencies, ErasureRequestView } from './erasure-view.js';

/**
 * Catalogue attributes erased, named in the audit entry: the sealed ones by destroying the data
 * key, the others by emptying them from every version.
 */
const erasedAttributeNames = listAttributes('person')
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
    // A second pending request for the same person, written meanwhile.
    if (!isUniqueViolation(error)) throw error;
    await refuse(deps, props, admin, context, 'AMP_CONFLICT', pendingDetail);
  }
  return view(await mustFind(deps.db, id));
}

/**
 * The same request, naming the person by the ID number written on the order or signed
 * request: administrators read no person data, so they cannot look the record up first. A
 * valid number that matches no record is refused like any unknown record (404, audited).
 *
 * @example
 *   await erasureRequesterByUin(deps, { actor, uin: '5127394860', reasonCode: 'court_order',
 *     reference: 'TSJ-2026-00123', purpose: 'appeal', requestId });
 */
export async function erasureRequesterByUin(
  deps: ErasureDependencies,
  props: Omit<ErasureRequestProps, 'personId'> & { uin: string },
): Promise<ErasureRequestView> {
  if (!isValidUin(props.uin)) {
    throw new AmparoError('AMP_VALIDATION', {
      detail: 'The ID number is not valid',
      errors: [{ field: 'body/uin', reason: 'is not a valid ID number (check digit)' }],
    });
  }
  const person = await findPerson(deps.db, { uin: props.uin });
  // No record: the nil id is looked up, found missing and refused by the guard (404, audited).
  return erasureRequester(deps, { ...props, personId: person?.id ?? nilId });
}

const nilId = '00000000-0000-0000-0000-000000000000';

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
  const { request, admin, context, purpose } = await decide(deps, props, {
    policy: 'person.erasure_approve',
    audit: 'person.erasure_approve',
  });
  const said = { purpose, requestId: props.requestId };
  if (request.requestedBy === admin.operatorId) {
    await refuse(deps, said, admin, context, 'AMP_FORBIDDEN', sameAdministratorDetail);
  }
  const at = now(deps);
  const executed = await deps.db.transaction().execute(async (trx) => {
    const erased = await executeErasure(trx, {
      id: request.id,
      approvedBy: admin.operatorId,
      at,
    });
    if (erased === undefined) return null;
    // Subscribers act in this transaction (credentials revokes the card: a printed card of an
    // erased person must stop verifying offline too); if one fails, nothing is erased.
    for (const record of erased.records) {
      await deps.events.publish(trx, 'personErased', { personId: record });
    }
    const common = { ...said, regionCode: request.regionCode };
    await deps.audit.appendInTransaction(trx, [
      entry(admin, { ...common, action: 'person.erasure_approve', resource: context.resource }),
      entry(admin, {
        ...common,
        action: 'person.erasure_execute',
        resource: { type: 'person', id: request.personId },
        fields: erasedAttributeNames,
      }),
    ]);
    return erased.records;
  });
  if (executed === null) await refuse(deps, said, admin, context, 'AMP_CONFLICT', notPendingDetail);
  // Committed: the erased records are no longer anyone's duplicate candidate.
  for (const record of executed ?? []) deps.duplicates?.forgetPerson(record);
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
  // Withdrawing is allowed to whoever may request: the policy has no separate action for it.
  const { request, admin, context, purpose } = await decide(deps, props, {
    policy: 'person.erasure_request',
    audit: 'person.erasure_withdraw',
  });
  const withdrawn = await deps.db.transaction().execute(async (trx) => {
    const changed = await withdrawErasureRequest(trx, {
      id: request.id,
      withdrawnBy: admin.operatorId,
      at: now(deps),
    });
    if (!changed) return false;
    await deps.audit.appendInTransaction(trx, [
      entry(admin, { ...context, purpose, requestId: props.requestId }),
    ]);
    return true;
  });
  if (!withdrawn) {
    await refuse(
      deps,
      { purpose, requestId: props.requestId },
      admin,
      context,
      'AMP_CONFLICT',
      notPendingDetail,
    );
  }
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
  actions: {
    /** What the gate decides on (a policy action). */
    policy: 'person.erasure_approve' | 'person.erasure_request';
    /** What the audit entries of this step are called. */
    audit: string;
  },
) {
  const request = await findErasureRequest(deps.db, props.erasureId);
  const resource = request
    ? { type: 'person' as const, id: request.personId }
    : { type: 'erasure' as const, id: props.erasureId };
  const purpose = props.purpose ?? erasurePurpose;
  const grant = await guardPersonAccess(deps, {
    actor: props.actor,
    action: actions.policy,
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
  const context = { action: actions.audit, resource, regionCode: found.regionCode };
  const said = { purpose, requestId: props.requestId };
  const admin = await humanAdministrator(deps, { ...said, actor: props.actor }, context);
  if (found.status !== 'pending') {
    await refuse(deps, said, admin, context, 'AMP_CONFLICT', notPendingDetail);
  }
  return { request: found, admin, context, purpose: grant.purpose };
}
