import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { ErasureReasonCode, ErasureStatus } from './tables.js';

/** All SQL of lawful erasure. */

/** A stored request with the little of its person that decisions and listings need. */
export interface ErasureRequestRow {
  id: string;
  personId: string;
  uin: string;
  regionCode: string;
  personStatus: 'active' | 'deceased' | 'merged' | 'erased';
  requestedBy: string;
  requestedByUsername: string;
  reasonCode: ErasureReasonCode;
  reference: string | null;
  requestedAt: Date;
  status: ErasureStatus;
  approvedBy: string | null;
  approvedAt: Date | null;
  executedAt: Date | null;
  withdrawnBy: string | null;
  withdrawnAt: Date | null;
}

function requestQuery(db: Kysely<Database>) {
  return db
    .selectFrom('erasure_request as r')
    .innerJoin('person as p', 'p.id', 'r.person_id')
    .innerJoin('operator as o', 'o.id', 'r.requested_by')
    .select([
      'r.id',
      'r.person_id',
      'p.uin',
      'p.region_code',
      'p.status as person_status',
      'r.requested_by',
      'o.username as requested_by_username',
      'r.reason_code',
      'r.reference',
      'r.requested_at',
      'r.status',
      'r.approved_by',
      'r.approved_at',
      'r.executed_at',
      'r.withdrawn_by',
      'r.withdrawn_at',
    ]);
}

type SelectedRow = Awaited<ReturnType<ReturnType<typeof requestQuery>['executeTakeFirstOrThrow']>>;

function toRow(row: SelectedRow): ErasureRequestRow {
  return {
    id: row.id,
    personId: row.person_id,
    uin: row.uin,
    regionCode: row.region_code,
    personStatus: row.person_status,
    requestedBy: row.requested_by,
    requestedByUsername: row.requested_by_username,
    reasonCode: row.reason_code,
    reference: row.reference,
    requestedAt: row.requested_at,
    status: row.status,
    approvedBy: row.approved_by,
    approvedAt: row.approved_at,
    executedAt: row.executed_at,
    withdrawnBy: row.withdrawn_by,
    withdrawnAt: row.withdrawn_at,
  };
}

export async function findErasureRequest(
  db: Kysely<Database>,
  id: string,
): Promise<ErasureRequestRow | undefined> {
  const row = await requestQuery(db).where('r.id', '=', id).executeTakeFirst();
  return row ? toRow(row) : undefined;
}

export async function hasPendingErasureRequest(
  db: Kysely<Database>,
  personId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('erasure_request')
    .select('id')
    .where('person_id', '=', personId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return row !== undefined;
}

export interface NewErasureRequest {
  id: string;
  personId: string;
  requestedBy: string;
  reasonCode: ErasureReasonCode;
  reference: string | null;
  requestedAt: Date;
}

export async function insertErasureRequest(
  trx: Transaction<Database>,
  request: NewErasureRequest,
): Promise<void> {
  await trx
    .insertInto('erasure_request')
    .values({
      id: request.id,
      person_id: request.personId,
      requested_by: request.requestedBy,
      reason_code: request.reasonCode,
      reference: request.reference,
      requested_at: request.requestedAt,
    })
    .execute();
}

/**
 * Marks a pending request executed and destroys what makes the person's sealed data readable:
 * the wrapped data key of the person and of every record merged into it (their duplicates
 * hold the same person's data), and their blind indexes. The person becomes `erased` and
 * leaves their household, and `erase_person_records` (migration 0012) empties the clear
 * attributes of every version, the name search keys and queued SMS recipients of all those
 * records. Returns the person id and its records, or undefined when the request was no longer
 * pending (withdrawn or executed by someone else meanwhile), in which case nothing changed.
 */
export async function executeErasure(
  trx: Transaction<Database>,
  input: { id: string; approvedBy: string; at: Date },
): Promise<{ personId: string; records: string[] } | undefined> {
  const executed = await trx
    .updateTable('erasure_request')
    .set({
      status: 'executed',
      approved_by: input.approvedBy,
      approved_at: input.at,
      executed_at: input.at,
    })
    .where('id', '=', input.id)
    .where('status', '=', 'pending')
    .returning('person_id')
    .executeTakeFirst();
  if (!executed) return undefined;
  const personId = executed.person_id;
  const family = await recordsOfPerson(trx, personId);
  await trx
    .updateTable('person_key')
    .set({ wrapped_key: null, shredded_at: input.at })
    .where('person_id', 'in', family)
    .where('wrapped_key', 'is not', null)
    .execute();
  await trx
    .updateTable('person_blind_index')
    .set({ digest: null })
    .where('person_id', 'in', family)
    .execute();
  await trx
    .updateTable('person')
    .set({ status: 'erased', updated_at: input.at })
    .where('id', '=', personId)
    .execute();
  // valid_to may not precede valid_from, which the database stamped with its own clock.
  await trx
    .updateTable('household_membership')
    .set({ valid_to: sql<Date>`greatest(valid_from, ${input.at})` })
    .where('person_id', '=', personId)
    .where('valid_to', 'is', null)
    .execute();
  // Clear attributes of every version, name search keys and queued SMS recipients: the
  // migration-owned function is the only path by which the application changes history rows.
  await sql`select erase_person_records(${input.id}::uuid)`.execute(trx);
  return { personId, records: family };
}

/** The person and every record merged into it, at any depth. */
async function recordsOfPerson(trx: Transaction<Database>, personId: string): Promise<string[]> {
  const rows = await trx
    .withRecursive('family(id)', (db) =>
      db
        .selectFrom('person')
        .select('id')
        .where('id', '=', personId)
        .union(
          db
            .selectFrom('person as p')
            .innerJoin('family as f', 'f.id', 'p.merged_into')
            .select('p.id'),
        ),
    )
    .selectFrom('family')
    .select('id')
    .execute();
  return rows.map((row) => row.id);
}

/** Marks a pending request withdrawn; false when it was no longer pending. */
export async function withdrawErasureRequest(
  trx: Transaction<Database>,
  input: { id: string; withdrawnBy: string; at: Date },
): Promise<boolean> {
  const result = await trx
    .updateTable('erasure_request')
    .set({ status: 'withdrawn', withdrawn_by: input.withdrawnBy, withdrawn_at: input.at })
    .where('id', '=', input.id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Requests in a status about persons of the given regions, oldest first. */
export async function listErasureRequests(
  db: Kysely<Database>,
  input: { status: ErasureStatus; regionCodes: readonly string[]; limit: number },
): Promise<ErasureRequestRow[]> {
  if (input.regionCodes.length === 0) return [];
  const rows = await requestQuery(db)
    .where('r.status', '=', input.status)
    .where('p.region_code', 'in', [...input.regionCodes])
    .orderBy('r.requested_at')
    .orderBy('r.id')
    .limit(input.limit)
    .execute();
  return rows.map(toRow);
}
