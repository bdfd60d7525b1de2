import { randomUUID } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { AuditEntryInput } from '../../../shared/audit/audit-entry.js';
import { plainArrayLiteral } from './array-literal.js';
import type { EncodedBatch } from './batch-encoder.js';
import { importLimits } from './limits.js';
import type { ImportFileFacts } from './source-file.js';

/**
 * All SQL of the import: jobs, the batch checkpoint, and the multi-row inserts. Each table
 * gets one `insert … select from unnest($1::uuid[], …)` per batch: a handful of statements
 * for thousands of rows, with parameters sent as arrays.
 */

export type ImportJobRow = Database['import_job'];

export interface JobCounts {
  persons: number;
  households: number;
  batches: number;
}

/** Appends entries inside the batch's transaction (`AuditLog.appendInTransaction`). */
export interface BatchAuditor {
  appendInTransaction(
    trx: Transaction<Database>,
    entries: readonly AuditEntryInput[],
  ): Promise<unknown>;
}

export async function findJobByHash(
  db: Kysely<Database>,
  sha256: Buffer,
): Promise<(Omit<ImportJobRow, 'started_at' | 'updated_at'> & { started_at: Date }) | undefined> {
  return db
    .selectFrom('import_job')
    .selectAll()
    .where('file_sha256', '=', sha256)
    .executeTakeFirst();
}

export async function findJob(db: Kysely<Database>, jobId: string) {
  return db.selectFrom('import_job').selectAll().where('id', '=', jobId).executeTakeFirst();
}

/** Creates the job for a file, or returns the existing one (another process may race us). */
export async function createOrFindJob(
  db: Kysely<Database>,
  facts: ImportFileFacts,
  props: { referenceDate: string; regions: readonly string[] | null; startedBy: string | null },
) {
  await db
    .insertInto('import_job')
    .values({
      id: randomUUID(),
      file_sha256: facts.sha256,
      file_name: facts.name.slice(0, 255) || 'import',
      file_bytes: facts.bytes,
      format: facts.format,
      status: 'running',
      reference_date: props.referenceDate,
      regions: props.regions === null ? null : [...props.regions],
      started_by: props.startedBy,
      lines_total: facts.linesTotal,
      rows_invalid: null,
      failure: null,
      finished_at: null,
    })
    .onConflict((conflict) => conflict.column('file_sha256').doNothing())
    .execute();
  const job = await findJobByHash(db, facts.sha256);
  if (job === undefined) throw new Error('import job vanished after insert');
  return job;
}

export async function markJob(
  db: Kysely<Database>,
  jobId: string,
  change: {
    status: 'running' | 'finished' | 'failed';
    rowsInvalid?: number;
    failure?: string | null;
  },
): Promise<void> {
  await db
    .updateTable('import_job')
    .set({
      status: change.status,
      updated_at: sql<Date>`now()`,
      ...(change.rowsInvalid === undefined ? {} : { rows_invalid: change.rowsInvalid }),
      ...(change.failure === undefined ? {} : { failure: change.failure?.slice(0, 500) ?? null }),
      finished_at: change.status === 'finished' ? sql<Date>`now()` : null,
    })
    .where('id', '=', jobId)
    .execute();
}

/** Line ranges of the job's committed batches, by first line. */
export async function committedRanges(
  db: Kysely<Database>,
  jobId: string,
): Promise<Array<{ firstLine: number; lastLine: number }>> {
  const rows = await db
    .selectFrom('import_batch')
    .select(['first_line', 'last_line'])
    .where('job_id', '=', jobId)
    .orderBy('first_line')
    .execute();
  return rows.map((row) => ({ firstLine: row.first_line, lastLine: row.last_line }));
}

export async function jobCounts(db: Kysely<Database>, jobId: string): Promise<JobCounts> {
  const row = await db
    .selectFrom('import_batch')
    .select((eb) => [
      eb.fn.coalesce(eb.fn.sum<number>('persons'), sql<number>`0`).as('persons'),
      eb.fn.coalesce(eb.fn.sum<number>('households'), sql<number>`0`).as('households'),
      eb.fn.countAll<number>().as('batches'),
    ])
    .where('job_id', '=', jobId)
    .executeTakeFirstOrThrow();
  return {
    persons: Number(row.persons),
    households: Number(row.households),
    batches: Number(row.batches),
  };
}

export interface BatchWrite {
  jobId: string;
  batch: EncodedBatch;
  recordedBy: string | null;
  audit: BatchAuditor;
  auditEntry: AuditEntryInput;
  /** Draws a new UIN for a row whose UIN the database already holds. */
  redrawUin: () => string;
  /** Skip `synchronous_commit` (PostgreSQL only): a lost batch is redone on resume. */
  asynchronousCommit: boolean;
}

/**
 * Writes one batch and its checkpoint in one transaction: the batch is wholly present
 * (and its lines skipped on resume) or wholly absent. Columns arrive as array literals built
 * by the encoder (array-literal.ts), each one parameter cast to its array type.
 */
export async function writeBatch(db: Kysely<Database>, write: BatchWrite): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // A crash can lose the last commits before they reach disk; the checkpoint is lost with
    // them, so a resume redoes exactly those batches. Nothing is half-written either way.
    if (write.asynchronousCommit) await sql`set local synchronous_commit = off`.execute(trx);
    await insertPersons(trx, write.batch, write.redrawUin);
    await insertHouseholds(trx, write.batch, write.recordedBy);
    await insertPersonRows(trx, write.batch, write.recordedBy);
    await insertImportRows(trx, write);
    // Last: the audit appender lock is held from here until commit.
    await write.audit.appendInTransaction(trx, [write.auditEntry]);
  });
}

async function insertHouseholds(
  trx: Transaction<Database>,
  batch: EncodedBatch,
  by: string | null,
): Promise<void> {
  const columns = batch.literals;
  await sql`insert into household (id, region_code)
    select * from unnest(${columns.householdId}::uuid[], ${columns.householdRegion}::text[])`.execute(
    trx,
  );
  if (batch.householdVersions > 0) {
    await sql`insert into household_version (household_id, version, attributes, reason, recorded_by)
      select h, 1, a, 'import', ${by}::uuid
        from unnest(${columns.householdVersionId}::uuid[], ${columns.householdVersionAttributes}::jsonb[]) as t(h, a)`.execute(
      trx,
    );
  }
}

/** The rows that hang off person: key, version, blind index, membership, search keys. */
async function insertPersonRows(
  trx: Transaction<Database>,
  batch: EncodedBatch,
  by: string | null,
): Promise<void> {
  const columns = batch.literals;
  await sql`insert into person_key (person_id, wrapped_key)
    select * from unnest(${columns.personId}::uuid[], ${columns.wrappedKey}::bytea[])`.execute(trx);
  // The attributes are one JSON array, read element by element alongside the other columns.
  await sql`insert into person_version (person_id, version, attributes, sealed_attributes, reason, recorded_by)
    select p, 1, a, s, 'import', ${by}::uuid
      from rows from (unnest(${columns.personId}::uuid[]), jsonb_array_elements(${columns.attributes}::jsonb),
                      unnest(${columns.sealed}::bytea[])) as t(p, a, s)`.execute(trx);
  if (batch.phones > 0) {
    await sql`insert into person_blind_index (person_id, kind, digest)
      select p, 'phone', d from unnest(${columns.phonePersonId}::uuid[], ${columns.phoneDigest}::bytea[]) as t(p, d)`.execute(
      trx,
    );
  }
  await sql`insert into household_membership (household_id, person_id, relationship, recorded_by)
    select h, p, r, ${by}::uuid
      from unnest(${columns.membershipHouseholdId}::uuid[], ${columns.personId}::uuid[], ${columns.relationship}::text[]) as t(h, p, r)`.execute(
    trx,
  );
  // Each person's keys travel as the text of a text[] literal, cast per row: arrays of
  // arrays of different lengths cannot be one parameter.
  await sql`insert into person_search (person_id, region_code, name_keys, name_tokens)
    select p, r, k::text[], n::text[]
      from unnest(${columns.personId}::uuid[], ${columns.region}::text[], ${columns.searchKeys}::text[], ${columns.searchTokens}::text[]) as t(p, r, k, n)`.execute(
    trx,
  );
}

async function insertImportRows(trx: Transaction<Database>, write: BatchWrite): Promise<void> {
  const { batch, jobId } = write;
  await sql`insert into import_row (job_id, line, person_id)
    select ${jobId}::uuid, l, p from unnest(${batch.literals.lines}::int4[], ${batch.literals.personId}::uuid[]) as t(l, p)`.execute(
    trx,
  );
  await trx
    .insertInto('import_batch')
    .values({
      job_id: jobId,
      first_line: batch.firstLine,
      last_line: batch.lastLine,
      persons: batch.personId.length,
      households: batch.households,
    })
    .execute();
}

/**
 * Inserts the persons; a UIN the registry already holds is skipped by `on conflict`, and
 * those rows get a fresh UIN and are inserted again. Rare: the chance per row is the share of
 * the about 7 × 10^8 valid numbers already issued.
 */
async function insertPersons(
  trx: Transaction<Database>,
  batch: EncodedBatch,
  redrawUin: () => string,
): Promise<void> {
  // No `returning`: the count says whether every row went in, and thousands of ids do not
  // travel back for the rare batch where one did not.
  const first = await sql`insert into person (id, uin, region_code)
    select * from unnest(${batch.literals.personId}::uuid[], ${plainArrayLiteral(batch.uin)}::text[], ${batch.literals.region}::text[])
    on conflict (uin) do nothing`.execute(trx);
  if (first.numAffectedRows === BigInt(batch.personId.length)) return;
  let inserted = (
    await sql<{
      id: string;
    }>`select id from person where id = any(${batch.literals.personId}::uuid[])`.execute(trx)
  ).rows;
  if (inserted.length === batch.personId.length) return;
  let ids = batch.personId;
  let regions = batch.region;
  for (let round = 1; round <= importLimits.uinRedrawRoundsMax; round += 1) {
    const done = new Set(inserted.map((row) => row.id));
    const left = ids.flatMap((id, index) => (done.has(id) ? [] : [index]));
    ids = left.map((index) => ids[index] ?? '');
    regions = left.map((index) => regions[index] ?? '');
    const uins = left.map(() => redrawUin());
    inserted = (
      await sql<{ id: string }>`insert into person (id, uin, region_code)
        select * from unnest(${ids}::uuid[], ${uins}::text[], ${regions}::text[])
        on conflict (uin) do nothing returning id`.execute(trx)
    ).rows;
    if (inserted.length === ids.length) return;
  }
  throw new Error(`UINs kept colliding after ${importLimits.uinRedrawRoundsMax} redraws`);
}
