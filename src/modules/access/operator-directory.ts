import { type Kysely, sql } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { Role } from '../../shared/access/roles.js';

/** An operator as another module may name one: never a credential. */
export interface NamedOperator {
  operatorId: string;
  username: string;
  displayName: string;
  roles: Role[];
  disabled: boolean;
  /** When the account was disabled; null while it works. */
  disabledAt: Date | null;
}

/**
 * The operators with these usernames (those that exist): a form names people by the name they
 * sign in with, not by a raw id (a merchant's staff, issue #16). At most 100 at once.
 *
 * @example
 *   const [clerk] = await operatorsNamed(db, ['caja.norte']);
 */
export async function operatorsNamed(
  db: Kysely<Database>,
  usernames: readonly string[],
): Promise<NamedOperator[]> {
  const wanted = [...new Set(usernames.map((name) => name.trim().toLowerCase()))].slice(0, 100);
  return operatorsWhere(db, 'username', wanted);
}

/**
 * The operators with these ids (those that exist), by username: a screen shows the people
 * assigned somewhere by name, not by raw id (a distribution point's operators). At most 100.
 *
 * @example
 *   const named = await operatorsWithIds(db, detail.operatorIds);
 */
export async function operatorsWithIds(
  db: Kysely<Database>,
  operatorIds: readonly string[],
): Promise<NamedOperator[]> {
  return operatorsWhere(db, 'id', [...new Set(operatorIds)].slice(0, 100));
}

async function operatorsWhere(
  db: Kysely<Database>,
  column: 'id' | 'username',
  wanted: readonly string[],
): Promise<NamedOperator[]> {
  if (wanted.length === 0) return [];
  const rows = await db
    .selectFrom('operator')
    .select(['id', 'username', 'display_name', 'roles', 'disabled_at'])
    .where(
      column,
      '=',
      column === 'id' ? sql<string>`any(${wanted}::uuid[])` : sql<string>`any(${wanted}::text[])`,
    )
    .orderBy('username')
    .execute();
  return rows.map((row) => ({
    operatorId: row.id,
    username: row.username,
    displayName: row.display_name,
    roles: row.roles,
    disabled: row.disabled_at !== null,
    disabledAt: row.disabled_at,
  }));
}
