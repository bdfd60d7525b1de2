import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { Role } from '../../shared/access/roles.js';
import { forgetCachedSessions } from './session-cache.js';
import type { OperatorChangeStatus } from './tables.js';

/** All SQL of grants (operator_change) and enrolments (operator_enrolment), migration 0022. */

type Db = Kysely<Database> | Transaction<Database>;

export interface OperatorChangeRow {
  id: string;
  operatorId: string;
  operatorUsername: string;
  addRoles: Role[];
  addRegions: string[];
  newCredentials: boolean;
  requestedBy: string;
  requestedByUsername: string;
  requestedAt: Date;
  status: OperatorChangeStatus;
  decidedBy: string | null;
  decidedAt: Date | null;
}

function changeQuery(db: Db) {
  return db
    .selectFrom('operator_change as c')
    .innerJoin('operator as o', 'o.id', 'c.operator_id')
    .innerJoin('operator as r', 'r.id', 'c.requested_by')
    .select([
      'c.id',
      'c.operator_id',
      'o.username as operator_username',
      'c.add_roles',
      'c.add_regions',
      'c.new_credentials',
      'c.requested_by',
      'r.username as requested_by_username',
      'c.requested_at',
      'c.status',
      'c.decided_by',
      'c.decided_at',
    ]);
}

type SelectedChange = Awaited<
  ReturnType<ReturnType<typeof changeQuery>['executeTakeFirstOrThrow']>
>;

function toChange(row: SelectedChange): OperatorChangeRow {
  return {
    id: row.id,
    operatorId: row.operator_id,
    operatorUsername: row.operator_username,
    addRoles: row.add_roles,
    addRegions: row.add_regions,
    newCredentials: row.new_credentials,
    requestedBy: row.requested_by,
    requestedByUsername: row.requested_by_username,
    requestedAt: row.requested_at,
    status: row.status,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
  };
}

export async function findChange(db: Db, id: string): Promise<OperatorChangeRow | undefined> {
  const row = await changeQuery(db).where('c.id', '=', id).executeTakeFirst();
  return row ? toChange(row) : undefined;
}

/** Changes in a status, oldest first. */
export async function listChanges(
  db: Db,
  input: { status: OperatorChangeStatus; limit: number },
): Promise<OperatorChangeRow[]> {
  const rows = await changeQuery(db)
    .where('c.status', '=', input.status)
    .orderBy('c.requested_at')
    .orderBy('c.id')
    .limit(input.limit)
    .execute();
  return rows.map(toChange);
}

export async function hasPendingChange(db: Db, operatorId: string): Promise<boolean> {
  const row = await db
    .selectFrom('operator_change')
    .select('id')
    .where('operator_id', '=', operatorId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertChange(
  trx: Transaction<Database>,
  change: {
    id: string;
    operatorId: string;
    addRoles: Role[];
    addRegions: string[];
    newCredentials: boolean;
    requestedBy: string;
    requestedAt: Date;
  },
): Promise<void> {
  await trx
    .insertInto('operator_change')
    .values({
      id: change.id,
      operator_id: change.operatorId,
      add_roles: change.addRoles,
      add_regions: change.addRegions,
      new_credentials: change.newCredentials,
      requested_by: change.requestedBy,
      requested_at: change.requestedAt,
    })
    .execute();
}

/** Decides a pending change; false when it was no longer pending. */
export async function decideChange(
  trx: Transaction<Database>,
  input: { id: string; status: 'approved' | 'refused'; decidedBy: string; at: Date },
): Promise<boolean> {
  const result = await trx
    .updateTable('operator_change')
    .set({ status: input.status, decided_by: input.decidedBy, decided_at: input.at })
    .where('id', '=', input.id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function insertEnrolment(
  trx: Transaction<Database>,
  enrolment: {
    id: string;
    operatorId: string;
    changeId: string | null;
    firstCodeDigest: Buffer;
    secondCodeDigest: Buffer | null;
    createdAt: Date;
    expiresAt: Date | null;
  },
): Promise<void> {
  await trx
    .insertInto('operator_enrolment')
    .values({
      id: enrolment.id,
      operator_id: enrolment.operatorId,
      change_id: enrolment.changeId,
      first_code_digest: enrolment.firstCodeDigest,
      second_code_digest: enrolment.secondCodeDigest,
      created_at: enrolment.createdAt,
      expires_at: enrolment.expiresAt,
    })
    .execute();
}

/** The approval's half: the enrolment of this change becomes usable until `expiresAt`. */
export async function openEnrolment(
  trx: Transaction<Database>,
  input: { changeId: string; secondCodeDigest: Buffer; expiresAt: Date },
): Promise<void> {
  await trx
    .updateTable('operator_enrolment')
    .set({ second_code_digest: input.secondCodeDigest, expires_at: input.expiresAt })
    .where('change_id', '=', input.changeId)
    .where('superseded_at', 'is', null)
    .execute();
}

/** Every unfinished enrolment of the account (or only that of one change) stops working. */
export async function supersedeEnrolments(
  trx: Transaction<Database>,
  input: { operatorId: string; exceptChangeId?: string; onlyChangeId?: string; at: Date },
): Promise<void> {
  let query = trx
    .updateTable('operator_enrolment')
    .set({ superseded_at: input.at })
    .where('operator_id', '=', input.operatorId)
    .where('completed_at', 'is', null)
    .where('superseded_at', 'is', null);
  if (input.onlyChangeId !== undefined) query = query.where('change_id', '=', input.onlyChangeId);
  if (input.exceptChangeId !== undefined)
    query = query.where((eb) =>
      eb.or([eb('change_id', 'is', null), eb('change_id', '<>', input.exceptChangeId ?? '')]),
    );
  await query.execute();
}

export interface OpenEnrolment {
  id: string;
  firstCodeDigest: Uint8Array;
  secondCodeDigest: Uint8Array;
}

/** The account's usable enrolment (both halves known, not expired, not used), if any. */
export async function findOpenEnrolment(
  db: Db,
  operatorId: string,
  at: Date,
): Promise<OpenEnrolment | undefined> {
  const row = await db
    .selectFrom('operator_enrolment')
    .select(['id', 'first_code_digest', 'second_code_digest'])
    .where('operator_id', '=', operatorId)
    .where('completed_at', 'is', null)
    .where('superseded_at', 'is', null)
    .where('second_code_digest', 'is not', null)
    .where('expires_at', '>', at)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  if (!row || row.second_code_digest === null) return undefined;
  return {
    id: row.id,
    firstCodeDigest: row.first_code_digest,
    secondCodeDigest: row.second_code_digest,
  };
}

/** Marks an enrolment used; false when someone used it first. */
export async function completeEnrolment(
  trx: Transaction<Database>,
  id: string,
  at: Date,
): Promise<boolean> {
  const result = await trx
    .updateTable('operator_enrolment')
    .set({ completed_at: at })
    .where('id', '=', id)
    .where('completed_at', 'is', null)
    .where('superseded_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Of these accounts, those waiting for their person to enrol. */
export async function awaitingEnrolment(
  db: Db,
  operatorIds: readonly string[],
): Promise<Set<string>> {
  if (operatorIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('operator_enrolment')
    .select('operator_id')
    .where('operator_id', 'in', [...operatorIds])
    .where('completed_at', 'is', null)
    .where('superseded_at', 'is', null)
    .execute();
  return new Set(rows.map((row) => row.operator_id));
}

/** Pending changes of these accounts, by account. */
export async function pendingChangesOf(
  db: Db,
  operatorIds: readonly string[],
): Promise<Map<string, OperatorChangeRow>> {
  if (operatorIds.length === 0) return new Map();
  const rows = await changeQuery(db)
    .where('c.operator_id', 'in', [...operatorIds])
    .where('c.status', '=', 'pending')
    .execute();
  return new Map(rows.map((row) => [row.operator_id, toChange(row)]));
}

/** Sets the credentials the person chose at enrolment. */
export async function setEnrolledCredentials(
  trx: Transaction<Database>,
  operatorId: string,
  credentials: { passwordHash: string; totpSecretSealed: Buffer; totpStep: number },
): Promise<void> {
  await trx
    .updateTable('operator')
    .set({
      password_hash: credentials.passwordHash,
      totp_secret_sealed: credentials.totpSecretSealed,
      totp_last_step: BigInt(credentials.totpStep),
      password_change_required: false,
    })
    .where('id', '=', operatorId)
    .execute();
  forgetCachedSessions();
}
