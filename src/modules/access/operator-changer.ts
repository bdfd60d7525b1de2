import type { Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { AmparoError } from '../../platform/errors.js';
import type { Role } from '../../shared/access/roles.js';
import {
  type AdminContext,
  type AdminResult,
  adminEntry,
  checkRegions,
  decide,
  grantFields,
  type OperatorAdminDependencies,
  refuseStep,
  sortedSet,
} from './operator-admin-context.js';
import {
  countOtherActiveAdministrators,
  lockOperator,
  type OperatorSummary,
  revokeAllSessions,
  updateOperator,
} from './operator-admin-repository.js';
import { newEnrolmentCodeHalf, unusableCredentials } from './operator-enrolment-code.js';
import { hasPendingChange, supersedeEnrolments } from './operator-grant-repository.js';
import { answer, type GrantRequest, insertBothHalves, requestGrant } from './operator-grants.js';

export interface ChangeRequest {
  roles?: Role[];
  regions?: string[];
  displayName?: string;
  disabled?: boolean;
  resetCredentials?: boolean;
}

/**
 * Changes one account. What narrows access applies at once: roles and regions removed, the
 * display name, disabling (every session and device token ends) or enabling. What widens it —
 * roles or regions added, new credentials — becomes a grant that a different administrator
 * must approve (`operator-grants.ts`). The command line (a system job) may narrow, and may
 * reset credentials, printing both enrolment code halves; it cannot grant.
 *
 * @example
 *   await operatorChanger(deps, { actor, purpose: 'enrolment', requestId, operatorId,
 *     change: { roles: ['auditor'] } });   // removes other roles now; auditor waits for approval
 */
export async function operatorChanger(
  deps: OperatorAdminDependencies,
  context: AdminContext & { operatorId: string; change: ChangeRequest },
): Promise<AdminResult> {
  await decide(deps, context, context.operatorId);
  const { change, actor } = context;
  const step = { action: 'operator.manage', operatorId: context.operatorId };
  if (actor?.kind === 'operator' && actor.operatorId === context.operatorId) {
    await refuseStep(
      deps,
      context,
      step,
      'AMP_FORBIDDEN',
      'Administrators cannot change their own account here; another administrator must',
    );
  }
  if (change.regions !== undefined) checkRegions(change.regions);
  const outcome = await auditRefusal(deps, context, step, () =>
    deps.db.transaction().execute(async (trx) => {
      const current = await lockOperator(trx, context.operatorId);
      if (current === undefined)
        throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such operator' });
      const grant = grantOf(current, change);
      const immediate = await applyNarrowing(deps, trx, current, change);
      const entries = [];
      if (immediate.length > 0)
        entries.push(adminEntry(context, 'operator.manage', current.id, immediate));
      let requested: { changeId: string | null; first: string | null; second: string | null } = {
        changeId: null,
        first: null,
        second: null,
      };
      if (grant !== null) {
        requested = await startGrant(deps, trx, context, current.id, grant);
        entries.push(
          adminEntry(
            context,
            actor?.kind === 'operator' ? 'operator.grant_request' : 'operator.manage',
            current.id,
            grantFields(grant),
          ),
        );
      }
      await deps.audit.appendInTransaction(trx, entries);
      return { operator: (await lockOperator(trx, current.id)) ?? current, requested };
    }),
  );
  const { first, second, changeId } = outcome.requested;
  const code = first === null && second === null ? null : { first, second };
  return answer(deps, outcome.operator, changeId, code);
}

/**
 * Runs a step the gate allowed; a refusal inside it (no such account, a grant already
 * waiting) is audited like every other attempt, after its transaction rolled back.
 */
async function auditRefusal<T>(
  deps: OperatorAdminDependencies,
  context: AdminContext,
  step: { action: string; operatorId: string },
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AmparoError)
      await deps.audit.append(adminEntry(context, step.action, step.operatorId, [], error.code));
    throw error;
  }
}

/** What the change adds: null when it only narrows. */
function grantOf(current: OperatorSummary, change: ChangeRequest): GrantRequest | null {
  const addRoles = (change.roles ?? []).filter((role) => !current.roles.includes(role));
  const addRegions = (change.regions ?? []).filter((code) => !current.regions.includes(code));
  const newCredentials = change.resetCredentials === true;
  if (addRoles.length === 0 && addRegions.length === 0 && !newCredentials) return null;
  return { addRoles, addRegions, newCredentials };
}

/** Applies what narrows access; returns the audit fields of what changed. */
async function applyNarrowing(
  deps: OperatorAdminDependencies,
  trx: Transaction<Database>,
  current: OperatorSummary,
  change: ChangeRequest,
): Promise<string[]> {
  const roles = change.roles && current.roles.filter((role) => change.roles?.includes(role));
  const regions =
    change.regions && current.regions.filter((code) => change.regions?.includes(code));
  const rolesChanged = roles !== undefined && roles.length !== current.roles.length;
  const regionsChanged = regions !== undefined && regions.length !== current.regions.length;
  const displayName = change.displayName?.trim();
  const disabledAt =
    change.disabled === undefined ? undefined : change.disabled ? deps.now() : null;
  await keepAnAdministrator(
    trx,
    current,
    change.disabled === true || (rolesChanged && !roles.includes('administrator')),
  );
  await updateOperator(trx, current.id, {
    ...(rolesChanged ? { roles: sortedSet(roles) } : {}),
    ...(regionsChanged ? { regions: sortedSet(regions) } : {}),
    ...(displayName === undefined ? {} : { displayName }),
    ...(disabledAt === undefined ? {} : { disabledAt }),
  });
  if (change.disabled === true) await revokeAllSessions(trx, current.id, deps.now());
  return [
    ...(displayName === undefined ? [] : ['display_name']),
    ...(rolesChanged ? ['roles'] : []),
    ...(regionsChanged ? ['regions'] : []),
    ...(disabledAt === undefined ? [] : ['disabled_at']),
  ];
}

/**
 * An administrator's grant waits for a second one; the command line may only reset
 * credentials, which takes effect at once with both code halves printed.
 */
async function startGrant(
  deps: OperatorAdminDependencies,
  trx: Transaction<Database>,
  context: AdminContext,
  operatorId: string,
  grant: GrantRequest,
): Promise<{ changeId: string | null; first: string | null; second: string | null }> {
  const actor = context.actor;
  if (actor?.kind === 'operator') {
    if (await hasPendingChange(trx, operatorId)) {
      throw new AmparoError('AMP_CONFLICT', {
        detail: 'A change of this account is already waiting for a second administrator',
      });
    }
    const requested = await requestGrant(deps, trx, {
      ...grant,
      operatorId,
      requestedBy: actor.operatorId,
    });
    return { changeId: requested.changeId, first: requested.firstCode, second: null };
  }
  if (grant.addRoles.length > 0 || grant.addRegions.length > 0) {
    throw new AmparoError('AMP_FORBIDDEN', {
      detail:
        'Roles and regions are granted in the console: one administrator asks, a different one approves',
    });
  }
  const halves = { first: newEnrolmentCodeHalf(), second: newEnrolmentCodeHalf() };
  const at = deps.now();
  await updateOperator(trx, operatorId, {
    credentials: await unusableCredentials(deps.masterKey, operatorId, deps.hashOptions),
  });
  await revokeAllSessions(trx, operatorId, at);
  await supersedeEnrolments(trx, { operatorId, at });
  await insertBothHalves(deps, trx, operatorId, halves);
  return { changeId: null, ...halves };
}

/** Refuses a change that would leave no active administrator. */
async function keepAnAdministrator(
  trx: Transaction<Database>,
  current: OperatorSummary,
  losesAdministrator: boolean,
): Promise<void> {
  const isActiveAdmin = current.disabledAt === null && current.roles.includes('administrator');
  if (!isActiveAdmin || !losesAdministrator) return;
  if ((await countOtherActiveAdministrators(trx, current.id)) === 0) {
    throw new AmparoError('AMP_CONFLICT', {
      detail:
        'This is the last active administrator: nobody could manage accounts or approve erasures',
    });
  }
}
