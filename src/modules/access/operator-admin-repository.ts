import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { Role } from '../../shared/access/roles.js';
import { forgetCachedSessions } from './session-cache.js';

/** All SQL of operator account administration. Accounts are never deleted, only disabled. */

export interface OperatorSummary {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  regions: string[];
  createdAt: Date;
  disabledAt: Date | null;
}

const summaryColumns = [
  'id',
  'username',
  'display_name',
  'roles',
  'regions',
  'created_at',
  'disabled_at',
] as const;

function toSummary(row: {
  id: string;
  username: string;
  display_name: string;
  roles: Role[];
  regions: string[];
  created_at: Date;
  disabled_at: Date | null;
}): OperatorSummary {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    roles: row.roles,
    regions: row.regions,
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
  };
}

/** Operators by username, after `afterUsername` when given. */
export async function listOperatorSummaries(
  db: Kysely<Database>,
  page: { afterUsername: string | null; limit: number },
): Promise<OperatorSummary[]> {
  let query = db
    .selectFrom('operator')
    .select(summaryColumns)
    .orderBy('username')
    .limit(page.limit);
  if (page.afterUsername !== null) query = query.where('username', '>', page.afterUsername);
  return (await query.execute()).map(toSummary);
}

/** One operator, locked for the rest of the transaction. */
export async function lockOperator(
  trx: Transaction<Database>,
  id: string,
): Promise<OperatorSummary | undefined> {
  const row = await trx
    .selectFrom('operator')
    .select(summaryColumns)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  return row ? toSummary(row) : undefined;
}

/**
 * Active administrators other than `exceptId`, counted with their rows locked, so that two
 * administrators cannot disable each other at the same moment and leave nobody.
 */
export async function countOtherActiveAdministrators(
  trx: Transaction<Database>,
  exceptId: string,
): Promise<number> {
  const rows = await trx
    .selectFrom('operator')
    .select('id')
    .where('id', '<>', exceptId)
    .where('disabled_at', 'is', null)
    .where(sql<boolean>`'administrator' = any (roles)`)
    .forUpdate()
    .execute();
  return rows.length;
}

export async function insertOperator(
  db: Kysely<Database> | Transaction<Database>,
  operator: {
    id: string;
    username: string;
    displayName: string;
    roles: Role[];
    regions: string[];
    passwordHash: string;
    totpSecretSealed: Buffer;
    /** True when the password was handed over (an administrator's create). */
    passwordChangeRequired?: boolean;
  },
): Promise<OperatorSummary> {
  const row = await db
    .insertInto('operator')
    .values({
      id: operator.id,
      username: operator.username,
      display_name: operator.displayName,
      password_hash: operator.passwordHash,
      totp_secret_sealed: operator.totpSecretSealed,
      roles: operator.roles,
      regions: operator.regions,
      password_change_required: operator.passwordChangeRequired ?? false,
    })
    .onConflict((conflict) => conflict.column('username').doNothing())
    .returning(summaryColumns)
    .executeTakeFirst();
  if (!row) throw new UsernameTaken();
  return toSummary(row);
}

export class UsernameTaken extends Error {
  constructor() {
    super('username taken');
    this.name = 'UsernameTaken';
  }
}

export async function updateOperator(
  trx: Transaction<Database>,
  id: string,
  change: {
    displayName?: string;
    roles?: Role[];
    regions?: string[];
    disabledAt?: Date | null;
    credentials?: { passwordHash: string; totpSecretSealed: Buffer };
  },
): Promise<void> {
  if (Object.values(change).every((value) => value === undefined)) return;
  await trx
    .updateTable('operator')
    .set({
      ...(change.displayName === undefined ? {} : { display_name: change.displayName }),
      ...(change.roles === undefined ? {} : { roles: change.roles }),
      ...(change.regions === undefined ? {} : { regions: change.regions }),
      ...(change.disabledAt === undefined ? {} : { disabled_at: change.disabledAt }),
      ...(change.credentials === undefined
        ? {}
        : {
            password_hash: change.credentials.passwordHash,
            totp_secret_sealed: change.credentials.totpSecretSealed,
            // A new secret: codes of the old one are void anyway, and the first code of the
            // new one must not be refused as a replay of a step the old secret used.
            totp_last_step: null,
            password_change_required: true,
          }),
    })
    .where('id', '=', id)
    .execute();
  forgetCachedSessions();
}

/** Ends every live session and device token of an operator; returns how many. */
export async function revokeAllSessions(
  trx: Transaction<Database>,
  operatorId: string,
  at: Date,
): Promise<number> {
  const result = await trx
    .updateTable('auth_session')
    .set({ revoked_at: at })
    .where('operator_id', '=', operatorId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  forgetCachedSessions();
  return Number(result.numUpdatedRows);
}
