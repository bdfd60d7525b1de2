import { randomUUID } from 'node:crypto';
import { limits } from '../../limits.js';
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
  type OperatorView,
  operatorView,
  sortedSet,
} from './operator-admin-context.js';
import {
  countOtherActiveAdministrators,
  insertOperator,
  listOperatorSummaries,
  UsernameTaken,
} from './operator-admin-repository.js';
import { newEnrolmentCodeHalf, unusableCredentials } from './operator-enrolment-code.js';
import { awaitingEnrolment, pendingChangesOf } from './operator-grant-repository.js';
import { answer, insertBothHalves, requestGrant } from './operator-grants.js';

export type {
  AdminContext,
  AdminResult,
  OperatorAdminDependencies,
  OperatorView,
} from './operator-admin-context.js';

/**
 * Operator account administration (`operator.manage`, docs/ACCESS.md): list, create, change
 * roles and regions, disable and enable, and reset a forgotten password or a lost
 * authenticator. Accounts are never deleted. Removing access takes effect at once; adding
 * roles or regions, a new account and a reset are grants that a different administrator must
 * approve (`operator-grants.ts`). No administrator ever sees working credentials of another
 * account: the person enrols with two code halves. An administrator cannot change their own
 * account here, and the last active administrator cannot be disabled or lose the role.
 *
 * @example
 *   const created = await operatorCreator(deps, { actor, purpose: 'enrolment', requestId,
 *     account: { username: 'ana.perez', displayName: 'Ana Pérez', roles: ['enrolment_clerk'],
 *     regions: ['VE-A'] } });
 *   created.enrolmentCode?.first; // shown once; the approver gets the second half
 */
export interface AccountInput {
  username: string;
  displayName: string;
  roles: Role[];
  regions: string[];
}

/** Operators by username, a page at a time, each with the grant waiting for approval. */
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
  const ids = page.map((row) => row.id);
  const [pending, awaiting] = await Promise.all([
    pendingChangesOf(deps.db, ids),
    awaitingEnrolment(deps.db, ids),
  ]);
  return {
    items: page.map((row) =>
      operatorView(row, {
        awaitingEnrolment: awaiting.has(row.id),
        pendingChange: pending.get(row.id),
      }),
    ),
    nextAfter: rows.length > limit ? (page.at(-1)?.username ?? null) : null,
  };
}

/**
 * Creates an account. From the console it holds nothing yet: its roles and regions wait for a
 * second administrator, and the answer carries the first half of its enrolment code. From the
 * command line (a system job: the first administrators of an installation) see
 * `bootstrapAdministrator`.
 */
export async function operatorCreator(
  deps: OperatorAdminDependencies,
  context: AdminContext & { account: AccountInput },
): Promise<AdminResult> {
  await decide(deps, context, null);
  const account = checkedAccount(context.account);
  const actor = context.actor;
  if (actor?.kind !== 'operator') return bootstrapAdministrator(deps, context, account);
  const id = randomUUID();
  const credentials = await unusableCredentials(deps.masterKey, id, deps.hashOptions);
  const created = await withUsername(() =>
    deps.db.transaction().execute(async (trx) => {
      const row = await insertOperator(trx, {
        id,
        ...account,
        roles: [],
        regions: [],
        ...credentials,
      });
      const grant = { addRoles: account.roles, addRegions: account.regions, newCredentials: true };
      const requested = await requestGrant(deps, trx, {
        ...grant,
        operatorId: id,
        requestedBy: actor.operatorId,
      });
      await deps.audit.appendInTransaction(trx, [
        adminEntry(context, 'operator.manage', id, ['username', 'display_name']),
        adminEntry(context, 'operator.grant_request', id, grantFields(grant)),
      ]);
      return { row, ...requested };
    }),
  );
  return answer(deps, created.row, created.changeId, { first: created.firstCode, second: null });
}

/**
 * The command line creates administrators only while fewer than two are active: a two-person
 * rule needs two people first, and it is how an installation recovers when it has lost them.
 * The database enforces the same (migration 0022). The command needs the master key and the
 * application's database password, so whoever runs it already holds the whole system; it prints
 * both halves of the enrolment code.
 */
async function bootstrapAdministrator(
  deps: OperatorAdminDependencies,
  context: AdminContext,
  account: AccountInput,
): Promise<AdminResult> {
  if (account.roles.join() !== 'administrator') {
    throw new AmparoError('AMP_FORBIDDEN', {
      detail:
        'The command line creates only administrators (the first two); other accounts are created in the console and approved by a second administrator',
    });
  }
  const id = randomUUID();
  const credentials = await unusableCredentials(deps.masterKey, id, deps.hashOptions);
  const first = newEnrolmentCodeHalf();
  const second = newEnrolmentCodeHalf();
  const row = await withUsername(() =>
    deps.db.transaction().execute(async (trx) => {
      // Locks the active administrators, so two bootstraps at once cannot make three.
      if ((await countOtherActiveAdministrators(trx, id)) >= 2) {
        throw new AmparoError('AMP_CONFLICT', {
          detail:
            'This installation already has two active administrators: new accounts are created in the console and approved by a second administrator',
        });
      }
      const inserted = await insertOperator(trx, { id, ...account, ...credentials });
      await insertBothHalves(deps, trx, id, { first, second });
      await deps.audit.appendInTransaction(trx, [
        adminEntry(context, 'operator.manage', id, [
          'username',
          'display_name',
          'roles',
          'regions',
          'password',
          'totp_secret',
        ]),
      ]);
      return inserted;
    }),
  );
  return answer(deps, row, null, { first, second });
}

async function withUsername<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof UsernameTaken)) throw error;
    throw new AmparoError('AMP_CONFLICT', {
      detail: 'That user name is taken (accounts are never deleted, so names are not reused)',
      errors: [{ field: 'body/username', reason: 'is taken' }],
    });
  }
}

function checkedAccount(account: AccountInput): AccountInput {
  checkRegions(account.regions);
  return {
    username: account.username,
    displayName: account.displayName.trim(),
    roles: sortedSet(account.roles),
    regions: sortedSet(account.regions),
  };
}

export { type ChangeRequest, operatorChanger } from './operator-changer.js';
