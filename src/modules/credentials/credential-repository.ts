import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { RevocationReason } from './revocation-list.js';

/** All SQL of the credentials module's issuance and revocation side. */

export interface CredentialRow {
  id: Buffer;
  personId: string;
  personVersion: number;
  kid: string;
  issuedAt: number;
  expiresAt: number;
  status: 'active' | 'revoked';
  revocationReason: RevocationReason | null;
  batchId: string | null;
  /** The card's `cti`, needed to produce it again; null for a card issued without one. */
  cwtId: Buffer | null;
}

const credentialColumns = [
  'id',
  'person_id',
  'person_version',
  'kid',
  'issued_at',
  'expires_at',
  'status',
  'revocation_reason',
  'batch_id',
  'cwt_id',
] as const;

type CredentialSelection = {
  id: Buffer;
  person_id: string;
  person_version: number;
  kid: string;
  issued_at: Date;
  expires_at: Date;
  status: 'active' | 'revoked';
  revocation_reason: RevocationReason | null;
  batch_id: string | null;
  cwt_id: Buffer | null;
};

function toRow(row: CredentialSelection): CredentialRow {
  return {
    id: row.id,
    personId: row.person_id,
    personVersion: row.person_version,
    kid: row.kid,
    issuedAt: Math.floor(row.issued_at.getTime() / 1000),
    expiresAt: Math.floor(row.expires_at.getTime() / 1000),
    status: row.status,
    revocationReason: row.revocation_reason,
    batchId: row.batch_id,
    cwtId: row.cwt_id,
  };
}

export async function findCredential(
  db: Kysely<Database>,
  id: Buffer,
): Promise<CredentialRow | undefined> {
  const row = await db
    .selectFrom('credential')
    .select(credentialColumns)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? toRow(row) : undefined;
}

/** The rows of these cards (those that exist), in one statement. */
export async function findCredentials(
  db: Kysely<Database>,
  ids: readonly Buffer[],
): Promise<CredentialRow[]> {
  if (ids.length === 0) return [];
  const [only] = ids;
  const rows = await (ids.length === 1 && only !== undefined
    ? db.selectFrom('credential').select(credentialColumns).where('id', '=', only)
    : db
        .selectFrom('credential')
        .select(credentialColumns)
        .where('id', 'in', [...ids])
  ).execute();
  return rows.map(toRow);
}

/** The person's active credential, locked for the rest of the transaction. */
export async function lockActiveCredential(
  trx: Transaction<Database>,
  personId: string,
): Promise<CredentialRow | undefined> {
  const row = await trx
    .selectFrom('credential')
    .select(credentialColumns)
    .where('person_id', '=', personId)
    .where('status', '=', 'active')
    .forUpdate()
    .executeTakeFirst();
  return row ? toRow(row) : undefined;
}

export interface NewCredential {
  id: Uint8Array;
  personId: string;
  personVersion: number;
  kid: string;
  issuedAt: number;
  expiresAt: number;
  issuedBy: string | null;
  batchId: string | null;
  cwtId: Uint8Array | null;
}

export async function insertCredential(
  trx: Transaction<Database>,
  credential: NewCredential,
): Promise<void> {
  await trx
    .insertInto('credential')
    .values({
      id: Buffer.from(credential.id),
      person_id: credential.personId,
      person_version: credential.personVersion,
      kid: credential.kid,
      issued_at: new Date(credential.issuedAt * 1000),
      expires_at: new Date(credential.expiresAt * 1000),
      issued_by: credential.issuedBy,
      batch_id: credential.batchId,
      cwt_id: credential.cwtId === null ? null : Buffer.from(credential.cwtId),
    })
    .execute();
}

/**
 * The next revocation list version, held by a transaction-scoped advisory lock so that two
 * revoking transactions never share or skip a version: versions commit in order.
 */
export async function nextRevocationVersion(trx: Transaction<Database>): Promise<number> {
  await sql`select pg_advisory_xact_lock(${revocationLockNumber}::bigint)`.execute(trx);
  return (await currentRevocationVersion(trx)) + 1;
}

/** A fixed advisory lock number for the revocation list ("amparo-rl" in ASCII). */
const revocationLockNumber = '28554389003268716';

export async function currentRevocationVersion(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('revocation_list_entry')
    .select(sql<string | null>`max(version)`.as('version'))
    .executeTakeFirst();
  return Number(row?.version ?? 0);
}

/** Marks a credential revoked and adds its list entry, under one list version. */
export async function revokeCredentialRow(
  trx: Transaction<Database>,
  revocation: {
    id: Buffer;
    hash: Buffer;
    reason: RevocationReason;
    version: number;
    revokedBy: string | null;
    at: Date;
  },
): Promise<void> {
  await trx
    .updateTable('credential')
    .set({
      status: 'revoked',
      revoked_at: revocation.at,
      revocation_reason: revocation.reason,
      revocation_version: revocation.version,
      revoked_by: revocation.revokedBy,
    })
    .where('id', '=', revocation.id)
    .where('status', '=', 'active')
    .execute();
  await trx
    .insertInto('revocation_list_entry')
    .values({
      hash: revocation.hash,
      version: revocation.version,
      reason: revocation.reason,
      added_at: revocation.at,
    })
    .onConflict((conflict) => conflict.column('hash').doNothing())
    .execute();
}

export interface RevocationEntryRow {
  hash: Buffer;
  version: number;
  reason: RevocationReason;
}

/**
 * Entries with a version above `sinceVersion` (0: all) up to `untilVersion`, in version order.
 * The upper bound keeps a list consistent when a revocation commits while it is read.
 */
export async function revocationEntriesSince(
  db: Kysely<Database>,
  sinceVersion: number,
  untilVersion: number,
): Promise<RevocationEntryRow[]> {
  const rows = await db
    .selectFrom('revocation_list_entry')
    .select(['hash', 'version', 'reason'])
    .where('version', '>', sinceVersion)
    .where('version', '<=', untilVersion)
    .orderBy('version')
    .orderBy('hash')
    .execute();
  return rows.map((row) => ({ hash: row.hash, version: Number(row.version), reason: row.reason }));
}

/** The facts of one card as listed for its holder's record: no personal data. */
export interface CredentialListing {
  id: Buffer;
  kid: string;
  issuedAt: Date;
  expiresAt: Date;
  status: 'active' | 'revoked';
  revokedAt: Date | null;
  revocationReason: RevocationReason | null;
}

/** A person's cards, newest first, at most `limit`. */
export async function listPersonCredentials(
  db: Kysely<Database>,
  personId: string,
  limit: number,
): Promise<CredentialListing[]> {
  const rows = await db
    .selectFrom('credential')
    .select(['id', 'kid', 'issued_at', 'expires_at', 'status', 'revoked_at', 'revocation_reason'])
    .where('person_id', '=', personId)
    .orderBy('issued_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    kid: row.kid,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    status: row.status,
    revokedAt: row.revoked_at,
    revocationReason: row.revocation_reason,
  }));
}

/** The person's active credential, if any (no lock: for reading). */
export async function findActiveCredential(
  db: Kysely<Database>,
  personId: string,
): Promise<CredentialRow | undefined> {
  const row = await db
    .selectFrom('credential')
    .select(credentialColumns)
    .where('person_id', '=', personId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return row ? toRow(row) : undefined;
}
