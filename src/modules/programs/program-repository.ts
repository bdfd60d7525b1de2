import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { ProgramStatus, ProgramTables } from './tables.js';

/** SQL over the programs tables only; transactions are opened by the caller. */
export type Db = Kysely<Database> | Transaction<Database>;
export type ProgramRow = Selectable<ProgramTables['program']>;
export type ProgramVersionRow = Selectable<ProgramTables['program_version']>;
export type PublicationRow = Selectable<ProgramTables['program_publication']>;

export async function insertProgram(
  db: Db,
  row: { id: string; code: string; createdBy: string | null },
): Promise<void> {
  await db
    .insertInto('program')
    .values({ id: row.id, code: row.code, created_by: row.createdBy })
    .execute();
}

export async function insertVersion(
  db: Db,
  row: Insertable<ProgramTables['program_version']>,
  nameInTexts = false,
): Promise<void> {
  await db.insertInto('program_version').values(row).execute();
  if (nameInTexts) {
    await db
      .insertInto('program_text_naming')
      .values({ program_id: row.program_id, version: row.version })
      .execute();
  }
}

/** The versions of a program that opted into being named in texts. */
export async function textNamedVersions(db: Db, programId: string): Promise<Set<number>> {
  const rows = await db
    .selectFrom('program_text_naming')
    .select('version')
    .where('program_id', '=', programId)
    .execute();
  return new Set(rows.map((row) => row.version));
}

/** The program, locked for the rest of the transaction when `forUpdate`. */
export async function findProgram(
  db: Db,
  id: string,
  forUpdate = false,
): Promise<ProgramRow | undefined> {
  const query = db.selectFrom('program').selectAll().where('id', '=', id);
  return (forUpdate ? query.forUpdate() : query).executeTakeFirst();
}

export async function findProgramByCode(db: Db, code: string): Promise<ProgramRow | undefined> {
  return db.selectFrom('program').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function latestVersionNumber(db: Db, programId: string): Promise<number> {
  const row = await db
    .selectFrom('program_version')
    .select((eb) => eb.fn.max('version').as('version'))
    .where('program_id', '=', programId)
    .executeTakeFirst();
  return row?.version ?? 0;
}

export async function findVersion(
  db: Db,
  programId: string,
  version: number,
): Promise<ProgramVersionRow | undefined> {
  return db
    .selectFrom('program_version')
    .selectAll()
    .where('program_id', '=', programId)
    .where('version', '=', version)
    .executeTakeFirst();
}

export async function listVersions(db: Db, programId: string): Promise<ProgramVersionRow[]> {
  return db
    .selectFrom('program_version')
    .selectAll()
    .where('program_id', '=', programId)
    .orderBy('version')
    .execute();
}

export async function listProgramsByStatus(
  db: Db,
  statuses: readonly ProgramStatus[],
  limit: number,
): Promise<ProgramRow[]> {
  return db
    .selectFrom('program')
    .selectAll()
    .where('status', 'in', [...statuses])
    .orderBy('code')
    .limit(limit)
    .execute();
}

export async function insertPublication(
  db: Db,
  row: { id: string; programId: string; version: number; requestedBy: string },
): Promise<void> {
  await db
    .insertInto('program_publication')
    .values({
      id: row.id,
      program_id: row.programId,
      version: row.version,
      requested_by: row.requestedBy,
    })
    .execute();
}

export async function findPublication(
  db: Db,
  id: string,
  forUpdate = false,
): Promise<PublicationRow | undefined> {
  const query = db.selectFrom('program_publication').selectAll().where('id', '=', id);
  return (forUpdate ? query.forUpdate() : query).executeTakeFirst();
}

export async function decidePublicationRow(
  db: Db,
  id: string,
  status: 'approved' | 'refused',
  decidedBy: string,
): Promise<boolean> {
  const result = await db
    .updateTable('program_publication')
    .set({ status, decided_by: decidedBy, decided_at: new Date() })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Moves the program and records the change in its append-only history. */
export async function recordStatus(
  db: Db,
  change: {
    id: string;
    program: ProgramRow;
    to: Exclude<ProgramStatus, 'draft'>;
    version: number;
    changedBy: string | null;
  },
): Promise<void> {
  const { program } = change;
  await db
    .updateTable('program')
    .set({ status: change.to, published_version: change.version, updated_at: new Date() })
    .where('id', '=', program.id)
    .execute();
  await db
    .insertInto('program_status_change')
    .values({
      id: change.id,
      program_id: program.id,
      version: change.version,
      status_from: program.status,
      status_to: change.to,
      changed_by: change.changedBy,
    })
    .execute();
}
