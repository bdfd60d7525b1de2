import { randomUUID } from 'node:crypto';
import type { Options } from '@node-rs/argon2';
import type { Kysely, Transaction } from 'kysely';
import { limits } from '../../limits.js';
import type { Database } from '../../platform/db/schema.js';
import { AmparoError } from '../../platform/errors.js';
import type { AuditEntryInput } from '../audit/audit-entry.js';
import { findState } from '../geography/divisions.js';
import type { Actor, Purpose } from './actor.js';
import {
  countOtherActiveAdministrators,
  insertOperator,
  listOperatorSummaries,
  lockOperator,
  type OperatorSummary,
  revokeAllSessions,
  UsernameTaken,
  updateOperator,
} from './operator-admin-repository.js';
import { type FreshCredentials, freshCredentials } from './operator-credentials.js';
import { type AuditRecorder, guardPersonAccess } from './person-access-guard.js';
import type { Role } from './roles.js';

/**
 * Operator account administration (`operator.manage`, docs/ACCESS.md): list, create, change
 * roles and regions, disable and enable, and reset a forgotten password or a lost
 * authenticator. Accounts are never deleted. Every call is decided and audited by the access
 * guard; each change is audited in its own transaction (resource `operator`, fields naming
 * what changed). An administrator cannot change, disable or reset their own account here
 * (their own password is changed at `/api/auth/password`), and the last active
 * administrator cannot be disabled or lose the role.
 *
 * @example
 *   const created = await operatorCreator(deps, { actor, purpose: 'enrolment', requestId,
 *     account: { username: 'ana.perez', displayName: 'Ana Pérez', roles: ['enrolment_clerk'],
 *     regions: ['VE-A'] } });
 *   created.credentials.password; // shown once
 */
export interface OperatorAdminDependencies {
  db: Kysely<Database>;
  audit: AuditRecorder & {
    appendInTransaction(
      trx: Transaction<Database>,
      entries: readonly AuditEntryInput[],
    ): Promise<unknown>;
  };
  masterKey: Buffer;
  hashOptions: Options;
  now: () => Date;
}

export interface AdminContext {
  actor: Actor | null;
  purpose: Purpose | null;
  requestId: string;
}

export interface OperatorView {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  regions: string[];
  createdAt: string;
  disabledAt: string | null;
}

export interface AccountInput {
  username: string;
  displayName: string;
  roles: Role[];
  regions: string[];
}

export function operatorView(summary: OperatorSummary): OperatorView {
  return {
    ...summary,
    createdAt: summary.createdAt.toISOString(),
    disabledAt: summary.disabledAt?.toISOString() ?? null,
  };
}

async function decide(deps: OperatorAdminDependencies, context: AdminContext, id: string | null) {
  return guardPersonAccess(deps, {
    actor: context.actor,
    action: 'operator.manage',
    resource: { type: 'operator', id },
    regionCode: null,
    personId: null,
    exists: true,
    purpose: context.purpose,
    requestId: context.requestId,
    countsAsPersonRead: false,
  });
}

/** The audit entry of a change, shaped like the guard's own. */
function changeEntry(
  context: AdminContext,
  operatorId: string,
  fields: readonly string[],
): AuditEntryInput {
  const actor = context.actor;
  return {
    actor:
      actor?.kind === 'operator'
        ? { kind: 'operator', id: actor.operatorId, role: 'administrator', region: null }
        : {
            kind: 'system',
            id: actor?.kind === 'system' ? actor.job : 'unknown',
            role: null,
            region: null,
          },
    action: 'operator.manage',
    resource: { type: 'operator', id: operatorId },
    purpose: context.purpose,
    fields,
    outcome: 'allowed',
    reasonCode: null,
    requestId: context.requestId,
  };
}

/** Operators by username, a page at a time. */
export async function operatorLister(
  deps: OperatorAdminDependencies,
  context: AdminContext & { after?: string; limit?: number },
): Promise<{ items: OperatorView[]; nextAfter: string | null }> {
  const grant = await decide(deps, context, null);
  const limit = Math.min(
    context.limit ?? limits.pagination.pageSizeMax,
    limits.pagination.pageSizeMax,
  );
  const rows = await listOperatorSummaries(deps.db, {
    afterUsername: context.after ?? null,
    limit: limit + 1,
  });
  await grant.record([]);
  const page = rows.slice(0, limit);
  return {
    items: page.map(operatorView),
    nextAfter: rows.length > limit ? (page.at(-1)?.username ?? null) : null,
  };
}

/** Creates an account; its first password and TOTP secret are in the answer, once. */
export async function operatorCreator(
  deps: OperatorAdminDependencies,
  context: AdminContext & { account: AccountInput },
): Promise<{ operator: OperatorView; credentials: FreshCredentials['shown'] }> {
  await decide(deps, context, null);
  const account = checkedAccount(context.account);
  const id = randomUUID();
  const fresh = await freshCredentials(
    deps.masterKey,
    { id, username: account.username },
    deps.hashOptions,
  );
  try {
    const created = await deps.db.transaction().execute(async (trx) => {
      const row = await insertOperator(trx, {
        id,
        ...account,
        ...fresh.stored,
        passwordChangeRequired: true,
      });
      await deps.audit.appendInTransaction(trx, [
        changeEntry(context, id, [
          'username',
          'display_name',
          'roles',
          'regions',
          'password',
          'totp_secret',
        ]),
      ]);
      return row;
    });
    return { operator: operatorView(created), credentials: fresh.shown };
  } catch (error) {
    if (!(error instanceof UsernameTaken)) throw error;
    throw new AmparoError('AMP_CONFLICT', {
      detail: 'That user name is taken (accounts are never deleted, so names are not reused)',
      errors: [{ field: 'body/username', reason: 'is taken' }],
    });
  }
}

function checkedAccount(account: AccountInput): AccountInput {
  const unknown = account.regions.filter((code) => findState(code) === undefined);
  if (unknown.length > 0) {
    throw new AmparoError('AMP_VALIDATION', {
      detail: 'Unknown region codes',
      errors: [{ field: 'body/regions', reason: `unknown: ${unknown.join(', ')}` }],
    });
  }
  return {
    username: account.username,
    displayName: account.displayName.trim(),
    roles: [...new Set(account.roles)].sort(),
    regions: [...new Set(account.regions)].sort(),
  };
}

interface ChangeRequest {
  roles?: Role[];
  regions?: string[];
  displayName?: string;
  disabled?: boolean;
  resetCredentials?: boolean;
}

/**
 * Changes one account: roles and regions, display name, disabled or enabled, or new
 * credentials. Disabling and resetting end every session and device token of the account.
 */
export async function operatorChanger(
  deps: OperatorAdminDependencies,
  context: AdminContext & { operatorId: string; change: ChangeRequest },
): Promise<{ operator: OperatorView; credentials: FreshCredentials['shown'] | null }> {
  await decide(deps, context, context.operatorId);
  const { change } = context;
  if (context.actor?.kind === 'operator' && context.actor.operatorId === context.operatorId) {
    throw new AmparoError('AMP_FORBIDDEN', {
      detail: 'Administrators cannot change their own account here; another administrator must',
    });
  }
  if (change.regions !== undefined)
    checkedAccount({ username: '', displayName: '', roles: [], regions: change.regions });
  return deps.db.transaction().execute(async (trx) => {
    const current = await lockOperator(trx, context.operatorId);
    if (current === undefined)
      throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such operator' });
    await keepAnAdministrator(trx, current, change);
    const fresh = change.resetCredentials
      ? await freshCredentials(deps.masterKey, current, deps.hashOptions)
      : null;
    const disabledAt =
      change.disabled === undefined ? undefined : change.disabled ? deps.now() : null;
    await updateOperator(trx, current.id, {
      ...(change.roles === undefined ? {} : { roles: [...new Set(change.roles)].sort() }),
      ...(change.regions === undefined ? {} : { regions: [...new Set(change.regions)].sort() }),
      ...(change.displayName === undefined ? {} : { displayName: change.displayName.trim() }),
      ...(disabledAt === undefined ? {} : { disabledAt }),
      ...(fresh === null ? {} : { credentials: fresh.stored }),
    });
    if (change.disabled === true || fresh !== null)
      await revokeAllSessions(trx, current.id, deps.now());
    await deps.audit.appendInTransaction(trx, [
      changeEntry(context, current.id, changedFields(change)),
    ]);
    const after = await lockOperator(trx, current.id);
    // Safe: the row was locked above and accounts are never deleted.
    return { operator: operatorView(after as OperatorSummary), credentials: fresh?.shown ?? null };
  });
}

function changedFields(change: ChangeRequest): string[] {
  const fields: string[] = [];
  if (change.displayName !== undefined) fields.push('display_name');
  if (change.roles !== undefined) fields.push('roles');
  if (change.regions !== undefined) fields.push('regions');
  if (change.disabled !== undefined) fields.push('disabled_at');
  if (change.resetCredentials) fields.push('password', 'totp_secret');
  return fields;
}

/** Refuses a change that would leave no active administrator. */
async function keepAnAdministrator(
  trx: Transaction<Database>,
  current: OperatorSummary,
  change: ChangeRequest,
): Promise<void> {
  const isActiveAdmin = current.disabledAt === null && current.roles.includes('administrator');
  const losesAdmin =
    change.disabled === true ||
    (change.roles !== undefined && !change.roles.includes('administrator'));
  if (!isActiveAdmin || !losesAdmin) return;
  if ((await countOtherActiveAdministrators(trx, current.id)) === 0) {
    throw new AmparoError('AMP_CONFLICT', {
      detail:
        'This is the last active administrator: nobody could manage accounts or approve erasures',
    });
  }
}
