import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { Role } from '../../shared/access/roles.js';
import { forgetCachedSessions } from './session-cache.js';
import type { SessionKind } from './tables.js';

/** A session row with what the authentication layer needs to decide and build an actor. */
export interface StoredSession {
  id: string;
  kind: SessionKind;
  operatorId: string | null;
  personId: string | null;
  createdAt: Date;
  expiresAt: Date;
  lastSeenAt: Date;
  revokedAt: Date | null;
  operator: {
    username: string;
    roles: Role[];
    regions: string[];
    disabledAt: Date | null;
    passwordChangeRequired: boolean;
  } | null;
  personStatus: string | null;
}

export interface NewSession {
  id: string;
  kind: SessionKind;
  operatorId: string | null;
  personId: string | null;
  tokenSha256: Buffer;
  label: string | null;
  createdAt: Date;
  expiresAt: Date;
}

export interface DeviceTokenRow {
  id: string;
  label: string;
  createdAt: Date;
  expiresAt: Date;
  lastSeenAt: Date;
  revokedAt: Date | null;
}

export async function insertSession(db: Kysely<Database>, session: NewSession): Promise<void> {
  await db
    .insertInto('auth_session')
    .values({
      id: session.id,
      kind: session.kind,
      operator_id: session.operatorId,
      person_id: session.personId,
      token_sha256: session.tokenSha256,
      label: session.label,
      created_at: session.createdAt,
      expires_at: session.expiresAt,
      last_seen_at: session.createdAt,
    })
    .execute();
}

/** The session whose token hashes to `tokenSha256`, with its operator or person status. */
export async function findSessionByDigest(
  db: Kysely<Database>,
  tokenSha256: Buffer,
): Promise<StoredSession | undefined> {
  const row = await db
    .selectFrom('auth_session as s')
    .leftJoin('operator as o', 'o.id', 's.operator_id')
    .leftJoin('person as p', 'p.id', 's.person_id')
    .select([
      's.id',
      's.kind',
      's.operator_id',
      's.person_id',
      's.created_at',
      's.expires_at',
      's.last_seen_at',
      's.revoked_at',
      'o.username',
      'o.roles',
      'o.regions',
      'o.disabled_at',
      'o.password_change_required',
      'p.status as person_status',
    ])
    .where('s.token_sha256', '=', tokenSha256)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    kind: row.kind,
    operatorId: row.operator_id,
    personId: row.person_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastSeenAt: row.last_seen_at,
    revokedAt: row.revoked_at,
    operator:
      row.username !== null && row.roles !== null && row.regions !== null
        ? {
            username: row.username,
            roles: row.roles,
            regions: row.regions,
            disabledAt: row.disabled_at,
            passwordChangeRequired: row.password_change_required === true,
          }
        : null,
    personStatus: row.person_status,
  };
}

export async function touchSession(db: Kysely<Database>, id: string, at: Date): Promise<void> {
  await db
    .updateTable('auth_session')
    .set({ last_seen_at: at })
    .where('id', '=', id)
    .where('last_seen_at', '<', at)
    .execute();
}

/** Revokes one session; true when it was live and is now revoked. */
export async function revokeSession(
  db: Kysely<Database>,
  where: { id: string; operatorId?: string; kind?: SessionKind },
  at: Date,
): Promise<boolean> {
  let query = db
    .updateTable('auth_session')
    .set({ revoked_at: at })
    .where('id', '=', where.id)
    .where('revoked_at', 'is', null);
  if (where.operatorId !== undefined) query = query.where('operator_id', '=', where.operatorId);
  if (where.kind !== undefined) query = query.where('kind', '=', where.kind);
  const result = await query.executeTakeFirst();
  forgetCachedSessions();
  return result.numUpdatedRows > 0n;
}

/** Revokes an operator's live console sessions other than `keepId` (after a password change). */
export async function revokeOtherConsoleSessions(
  db: Kysely<Database>,
  operatorId: string,
  keepId: string,
  at: Date,
): Promise<number> {
  const result = await db
    .updateTable('auth_session')
    .set({ revoked_at: at })
    .where('operator_id', '=', operatorId)
    .where('kind', '=', 'console')
    .where('id', '<>', keepId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', at)
    .executeTakeFirst();
  forgetCachedSessions();
  return Number(result.numUpdatedRows);
}

export async function listDeviceTokens(
  db: Kysely<Database>,
  operatorId: string,
  rowsMax: number,
): Promise<DeviceTokenRow[]> {
  const rows = await db
    .selectFrom('auth_session')
    .select(['id', 'label', 'created_at', 'expires_at', 'last_seen_at', 'revoked_at'])
    .where('operator_id', '=', operatorId)
    .where('kind', '=', 'device')
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(rowsMax)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    // The table's check constraint makes label non-null for device sessions.
    label: row.label ?? '',
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastSeenAt: row.last_seen_at,
    revokedAt: row.revoked_at,
  }));
}

export async function countLiveDeviceTokens(
  db: Kysely<Database>,
  operatorId: string,
  at: Date,
): Promise<number> {
  const row = await db
    .selectFrom('auth_session')
    .select((eb) => eb.fn.countAll<bigint>().as('n'))
    .where('operator_id', '=', operatorId)
    .where('kind', '=', 'device')
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', at)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
