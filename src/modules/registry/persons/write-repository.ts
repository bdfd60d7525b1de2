import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { NameSearchKeys } from '../search/search-keys.js';
import type { CorrectionReason } from '../tables.js';
import { type PersonIdentity, personIdentityOf } from './repository.js';

/** All SQL of the registry's write side. Every function runs inside the caller's transaction. */

type Trx = Transaction<Database>;
type VersionReason = Database['person_version']['reason'];

/**
 * Inserts a person with a UIN drawn by `nextUin`, drawing again while the UIN is taken.
 * `on conflict do nothing` keeps the transaction usable after a collision.
 */
export async function insertPerson(
  trx: Trx,
  props: { personId: string; regionCode: string; nextUin: () => string },
): Promise<string> {
  for (let attempt = 0; attempt < uinDrawsMax; attempt += 1) {
    const uin = props.nextUin();
    const row = await trx
      .insertInto('person')
      .values({ id: props.personId, uin, region_code: props.regionCode, merged_into: null })
      .onConflict((conflict) => conflict.column('uin').doNothing())
      .returning('uin')
      .executeTakeFirst();
    if (row !== undefined) return row.uin;
  }
  throw new Error(`no free UIN after ${uinDrawsMax} draws: the UIN space is nearly full`);
}

/** With 80 million UINs per check digit, more than a few collisions means something is wrong. */
const uinDrawsMax = 16;

export async function insertPersonKey(trx: Trx, personId: string, wrapped: Buffer): Promise<void> {
  await trx
    .insertInto('person_key')
    .values({ person_id: personId, wrapped_key: wrapped, shredded_at: null })
    .execute();
}

export interface NewVersion {
  personId: string;
  version: number;
  attributes: Record<string, unknown>;
  sealed: Buffer | null;
  reason: VersionReason;
  recordedBy: string | null;
  correctionReason?: CorrectionReason;
}

export async function insertVersion(trx: Trx, version: NewVersion): Promise<void> {
  await trx
    .insertInto('person_version')
    .values({
      person_id: version.personId,
      version: version.version,
      attributes: version.attributes,
      sealed_attributes: version.sealed,
      reason: version.reason,
      recorded_by: version.recordedBy,
      ...(version.correctionReason !== undefined
        ? { correction_reason: version.correctionReason }
        : {}),
    })
    .execute();
}

/** The person row, locked until the transaction ends, with its wrapped key. */
export interface LockedPerson extends PersonIdentity {
  wrappedKey: Buffer | null;
}

export async function lockPerson(trx: Trx, personId: string): Promise<LockedPerson | undefined> {
  const row = await trx
    .selectFrom('person')
    .innerJoin('person_key', 'person_key.person_id', 'person.id')
    .select([
      'person.id',
      'person.uin',
      'person.status',
      'person.region_code',
      'person.merged_into',
      'person.current_version',
      'person_key.wrapped_key',
    ])
    .where('person.id', '=', personId)
    .forUpdate('person')
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return { ...personIdentityOf(row), wrappedKey: row.wrapped_key };
}

export async function readVersion(
  trx: Trx,
  personId: string,
  version: number,
): Promise<{ attributes: Record<string, unknown>; sealed: Buffer | null }> {
  const row = await trx
    .selectFrom('person_version')
    .select(['attributes', 'sealed_attributes'])
    .where('person_id', '=', personId)
    .where('version', '=', version)
    .executeTakeFirstOrThrow();
  return { attributes: row.attributes, sealed: row.sealed_attributes };
}

/** Moves the person to a new current version, with the status change it records, if any. */
export async function advancePerson(
  trx: Trx,
  personId: string,
  change: {
    version: number;
    regionCode: string;
    status?: 'deceased' | 'merged';
    mergedInto?: string;
    dateOfDeath?: string;
  },
): Promise<void> {
  await trx
    .updateTable('person')
    .set({
      current_version: change.version,
      region_code: change.regionCode,
      updated_at: new Date(),
      ...(change.status !== undefined ? { status: change.status } : {}),
      ...(change.mergedInto !== undefined ? { merged_into: change.mergedInto } : {}),
      ...(change.dateOfDeath !== undefined ? { date_of_death: change.dateOfDeath } : {}),
    })
    .where('id', '=', personId)
    .execute();
}

/** Sets (or clears, with null) the phone's blind index of the current version. */
export async function setPhoneDigest(
  trx: Trx,
  personId: string,
  digest: Buffer | null,
): Promise<void> {
  await trx
    .insertInto('person_blind_index')
    .values({ person_id: personId, kind: 'phone', digest })
    .onConflict((conflict) => conflict.columns(['person_id', 'kind']).doUpdateSet({ digest }))
    .execute();
}

/** Writes the name search keys of the current version. */
export async function setSearchKeys(
  trx: Trx,
  personId: string,
  regionCode: string,
  keys: NameSearchKeys,
): Promise<void> {
  const values = { region_code: regionCode, name_keys: keys.keys, name_tokens: keys.tokens };
  await trx
    .insertInto('person_search')
    .values({ person_id: personId, ...values })
    .onConflict((conflict) =>
      conflict.column('person_id').doUpdateSet({ ...values, updated_at: new Date() }),
    )
    .execute();
}

export async function findHousehold(
  db: Kysely<Database> | Trx,
  householdId: string,
): Promise<{ id: string; regionCode: string } | undefined> {
  const row = await db
    .selectFrom('household')
    .select(['id', 'region_code'])
    .where('id', '=', householdId)
    .executeTakeFirst();
  return row ? { id: row.id, regionCode: row.region_code } : undefined;
}

export async function insertHousehold(
  trx: Trx,
  householdId: string,
  regionCode: string,
): Promise<void> {
  await trx.insertInto('household').values({ id: householdId, region_code: regionCode }).execute();
}

/** Current members of a household (locked against a concurrent second head). */
export async function currentMembers(
  db: Kysely<Database> | Trx,
  householdId: string,
): Promise<Array<{ personId: string; relationship: string }>> {
  const rows = await db
    .selectFrom('household_membership')
    .select(['person_id', 'relationship'])
    .where('household_id', '=', householdId)
    .where('valid_to', 'is', null)
    .orderBy('person_id')
    .execute();
  return rows.map((row) => ({ personId: row.person_id, relationship: row.relationship }));
}

export async function closeMembership(trx: Trx, personId: string): Promise<void> {
  await trx
    .updateTable('household_membership')
    // The database clock, like valid_from's default, so valid_to >= valid_from always holds.
    .set({ valid_to: sql<Date>`now()` })
    .where('person_id', '=', personId)
    .where('valid_to', 'is', null)
    .execute();
}

export async function openMembership(
  trx: Trx,
  props: { householdId: string; personId: string; relationship: string; recordedBy: string | null },
): Promise<void> {
  await trx
    .insertInto('household_membership')
    .values({
      household_id: props.householdId,
      person_id: props.personId,
      relationship: props.relationship,
      recorded_by: props.recordedBy,
    })
    .execute();
}

/** Identity and status of possible duplicates, to drop merged or erased ones. */
export async function personStatuses(
  db: Kysely<Database> | Trx,
  personIds: readonly string[],
): Promise<Map<string, { uin: string; status: string; regionCode: string }>> {
  if (personIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('person')
    .select(['id', 'uin', 'status', 'region_code'])
    .where('id', 'in', personIds)
    .execute();
  return new Map(
    rows.map((row) => [row.id, { uin: row.uin, status: row.status, regionCode: row.region_code }]),
  );
}
