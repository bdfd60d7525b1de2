import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { limits } from '../../limits.js';
import type { Database } from '../../platform/db/schema.js';
import { AmparoError } from '../../platform/errors.js';
import type { Role } from '../../shared/access/roles.js';
import { accessLimits } from './limits.js';
import {
  type AdminContext,
  type AdminResult,
  adminEntry,
  changeView,
  decide,
  type EnrolmentCodeView,
  grantFields,
  humanAdministrator,
  type OperatorAdminDependencies,
  type OperatorChangeView,
  operatorView,
  refuseStep,
  sortedSet,
} from './operator-admin-context.js';
import {
  lockOperator,
  type OperatorSummary,
  revokeAllSessions,
  updateOperator,
} from './operator-admin-repository.js';
import {
  enrolmentCodeDigest,
  newEnrolmentCodeHalf,
  unusableCredentials,
} from './operator-enrolment-code.js';
import {
  awaitingEnrolment,
  decideChange,
  findChange,
  insertChange,
  insertEnrolment,
  listChanges,
  type OperatorChangeRow,
  openEnrolment,
  supersedeEnrolments,
} from './operator-grant-repository.js';

/**
 * Grants of access need two administrators (issue #11; docs/ACCESS.md "Two administrators for
 * every grant"). One asks (`requestGrant`, inside the create or change that needs it), a
 * different active administrator approves (`operatorChangeApprover`) — never the account
 * itself — and only then does the account hold the roles and regions. A new account or a reset
 * also gets an enrolment code whose halves go one to each administrator. The database checks
 * the same rules (migration 0022).
 *
 * @example
 *   const { operator, enrolmentCode } = await operatorChangeApprover(deps, { actor: second,
 *     purpose: 'enrolment', requestId, changeId });
 *   enrolmentCode?.second; // shown once to the approver
 */
export interface GrantRequest {
  addRoles: Role[];
  addRegions: string[];
  newCredentials: boolean;
}

/** Records a grant asked by `requestedBy`; returns the first half of the code for a new sign-in. */
export async function requestGrant(
  deps: OperatorAdminDependencies,
  trx: Transaction<Database>,
  input: GrantRequest & { operatorId: string; requestedBy: string },
): Promise<{ changeId: string; firstCode: string | null }> {
  const changeId = randomUUID();
  const at = deps.now();
  await insertChange(trx, {
    id: changeId,
    operatorId: input.operatorId,
    addRoles: sortedSet(input.addRoles),
    addRegions: sortedSet(input.addRegions),
    newCredentials: input.newCredentials,
    requestedBy: input.requestedBy,
    requestedAt: at,
  });
  if (!input.newCredentials) return { changeId, firstCode: null };
  const firstCode = newEnrolmentCodeHalf();
  await insertEnrolment(trx, {
    id: randomUUID(),
    operatorId: input.operatorId,
    changeId,
    firstCodeDigest: enrolmentCodeDigest(deps.masterKey, input.operatorId, firstCode),
    secondCodeDigest: null,
    createdAt: at,
    expiresAt: null,
  });
  return { changeId, firstCode };
}

/** An enrolment usable at once (both halves known): the command line's bootstrap and reset. */
export async function insertBothHalves(
  deps: OperatorAdminDependencies,
  trx: Transaction<Database>,
  operatorId: string,
  halves: { first: string; second: string },
): Promise<void> {
  const at = deps.now();
  await insertEnrolment(trx, {
    id: randomUUID(),
    operatorId,
    changeId: null,
    firstCodeDigest: enrolmentCodeDigest(deps.masterKey, operatorId, halves.first),
    secondCodeDigest: enrolmentCodeDigest(deps.masterKey, operatorId, halves.second),
    createdAt: at,
    expiresAt: new Date(at.getTime() + accessLimits.enrolment.ttlMs),
  });
}

/**
 * Applies an approved grant in the approving transaction (the database allows the widening
 * only there): roles and regions are added, and for new credentials the old ones stop working
 * at once and the enrolment opens with the approver's half, which is returned.
 */
export async function applyGrant(
  deps: OperatorAdminDependencies,
  trx: Transaction<Database>,
  change: OperatorChangeRow,
): Promise<{ operator: OperatorSummary; secondCode: string | null; fields: string[] }> {
  const current = await lockOperator(trx, change.operatorId);
  // Safe: the change references the account and accounts are never deleted.
  const before = current as OperatorSummary;
  const roles = sortedSet([...before.roles, ...change.addRoles]);
  const regions = sortedSet([...before.regions, ...change.addRegions]);
  const credentials = change.newCredentials
    ? await unusableCredentials(deps.masterKey, before.id, deps.hashOptions)
    : undefined;
  await updateOperator(trx, before.id, {
    ...(roles.length === before.roles.length ? {} : { roles }),
    ...(regions.length === before.regions.length ? {} : { regions }),
    ...(credentials === undefined ? {} : { credentials }),
  });
  let secondCode: string | null = null;
  if (change.newCredentials) {
    const at = deps.now();
    await revokeAllSessions(trx, before.id, at);
    await supersedeEnrolments(trx, { operatorId: before.id, exceptChangeId: change.id, at });
    secondCode = newEnrolmentCodeHalf();
    await openEnrolment(trx, {
      changeId: change.id,
      secondCodeDigest: enrolmentCodeDigest(deps.masterKey, before.id, secondCode),
      expiresAt: new Date(at.getTime() + accessLimits.enrolment.ttlMs),
    });
  }
  const after = await lockOperator(trx, before.id);
  return {
    // Safe: locked above, never deleted.
    operator: after as OperatorSummary,
    secondCode,
    fields: grantFields({
      addRoles: roles.length === before.roles.length ? [] : change.addRoles,
      addRegions: regions.length === before.regions.length ? [] : change.addRegions,
      newCredentials: change.newCredentials,
    }),
  };
}

/** The gate and the checks shared by approving and refusing. */
async function pendingChangeFor(
  deps: OperatorAdminDependencies,
  context: AdminContext & { changeId: string },
  action: string,
) {
  const change = await findChange(deps.db, context.changeId);
  await decide(deps, context, change?.operatorId ?? null, change !== undefined);
  // Safe: the gate refuses (throws) when the change does not exist.
  const found = change as OperatorChangeRow;
  const step = { action, operatorId: found.operatorId };
  const admin = await humanAdministrator(deps, context, step);
  if (found.status !== 'pending')
    await refuseStep(deps, context, step, 'AMP_CONFLICT', 'This change was already decided');
  return { change: found, admin, step };
}

/** A different active administrator approves; the grant applies at once. */
export async function operatorChangeApprover(
  deps: OperatorAdminDependencies,
  context: AdminContext & { changeId: string },
): Promise<AdminResult> {
  const { change, admin, step } = await pendingChangeFor(deps, context, 'operator.grant_approve');
  if (admin.operatorId === change.requestedBy)
    await refuseStep(deps, context, step, 'AMP_FORBIDDEN', sameAdministrator);
  if (admin.operatorId === change.operatorId)
    await refuseStep(deps, context, step, 'AMP_FORBIDDEN', ownAccount);
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const at = deps.now();
    const decided = await decideChange(trx, {
      id: change.id,
      status: 'approved',
      decidedBy: admin.operatorId,
      at,
    });
    if (!decided) return null;
    const applied = await applyGrant(deps, trx, change);
    await deps.audit.appendInTransaction(trx, [
      adminEntry(context, 'operator.grant_approve', change.operatorId, applied.fields),
    ]);
    return applied;
  });
  if (outcome === null)
    return refuseStep(deps, context, step, 'AMP_CONFLICT', 'This change was already decided');
  return answer(deps, outcome.operator, change.id, { first: null, second: outcome.secondCode });
}

const sameAdministrator =
  'The administrator who asked for this change cannot approve it: a different administrator must';
const ownAccount = 'Nobody approves a change of their own account';

/** Any active administrator refuses, or the one who asked withdraws; nothing is granted. */
export async function operatorChangeRefuser(
  deps: OperatorAdminDependencies,
  context: AdminContext & { changeId: string },
): Promise<AdminResult> {
  const { change, admin, step } = await pendingChangeFor(deps, context, 'operator.grant_refuse');
  const decided = await deps.db.transaction().execute(async (trx) => {
    const at = deps.now();
    const done = await decideChange(trx, {
      id: change.id,
      status: 'refused',
      decidedBy: admin.operatorId,
      at,
    });
    if (!done) return false;
    await supersedeEnrolments(trx, { operatorId: change.operatorId, onlyChangeId: change.id, at });
    await deps.audit.appendInTransaction(trx, [
      adminEntry(context, 'operator.grant_refuse', change.operatorId, grantFields(change)),
    ]);
    return true;
  });
  if (!decided)
    await refuseStep(deps, context, step, 'AMP_CONFLICT', 'This change was already decided');
  const operator = await lockFree(deps, change.operatorId);
  return answer(deps, operator, change.id, null);
}

/** Changes in a status, oldest first (pending ones wait for a second administrator). */
export async function operatorChangeLister(
  deps: OperatorAdminDependencies,
  context: AdminContext & { status: OperatorChangeRow['status']; limit?: number },
): Promise<{ items: OperatorChangeView[] }> {
  const grant = await decide(deps, context, null);
  const limit = Math.min(
    context.limit ?? limits.pagination.pageSizeMax,
    limits.pagination.pageSizeMax,
  );
  const rows = await listChanges(deps.db, { status: context.status, limit });
  await grant.record([]);
  return { items: rows.map(changeView) };
}

async function lockFree(deps: OperatorAdminDependencies, id: string): Promise<OperatorSummary> {
  const row = await deps.db.transaction().execute((trx) => lockOperator(trx, id));
  if (row === undefined) throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such operator' });
  return row;
}

/** The answer of a step: the account as it is now, the change, and a code half if any. */
export async function answer(
  deps: OperatorAdminDependencies,
  operator: OperatorSummary,
  changeId: string | null,
  enrolmentCode: EnrolmentCodeView | null,
): Promise<AdminResult> {
  const change = changeId === null ? undefined : await findChange(deps.db, changeId);
  const awaiting = await awaitingEnrolment(deps.db, [operator.id]);
  return {
    operator: operatorView(operator, {
      awaitingEnrolment: awaiting.has(operator.id),
      pendingChange: change?.status === 'pending' ? change : undefined,
    }),
    change: change ? changeView(change) : null,
    enrolmentCode,
  };
}
