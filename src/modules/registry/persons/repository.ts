import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { NameSearchKeys } from '../search/search-keys.js';
import type { CorrectionReason } from '../tables.js';

/*
 * All SQL of person records (person, person_key, person_version, the phone index and search
 * keys): reads take any connection; writes run inside the caller's transaction, which the
 * service verb opens. Households have their own repository (households/), and so have search
 * and the duplicate review queue.
 */

/** What identifies a person record and where it stands, whoever reads it. */
export interface PersonIdentity {
  id: string;
  uin: string;
  status: 'active' | 'deceased' | 'merged' | 'erased';
  regionCode: string;
  mergedInto: string | null;
  currentVersion: number;
}

export interface PersonRow extends PersonIdentity {
  updatedAt: Date;
}

/** The `person` columns every reader selects, as a `PersonIdentity`. */
export function personIdentityOf(row: {
  id: string;
  uin: string;
  status: PersonIdentity['status'];
  region_code: string;
  merged_into: string | null;
  current_version: number;
}): PersonIdentity {
  return {
    id: row.id,
    uin: row.uin,
    status: row.status,
    regionCode: row.region_code,
    mergedInto: row.merged_into,
    currentVersion: row.current_version,
  };
}

export type PersonLookup = { personId: string } | { uin: string };

export async function findPerson(
  db: Kysely<Database>,
  lookup: PersonLookup,
): Promise<PersonRow | undefined> {
  let query = db
    .selectFrom('person')
    .select(['id', 'uin', 'status', 'region_code', 'merged_into', 'current_version', 'updated_at']);
  query =
    'personId' in lookup
      ? query.where('id', '=', lookup.personId)
      : query.where('uin', '=', lookup.uin);
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  return { ...personIdentityOf(row), updatedAt: row.updated_at };
}

export interface PersonVersionRow {
  attributes: Record<string, unknown>;
  sealedAttributes: Buffer | null;
  wrappedKey: Buffer | null;
}

/** The given version's attributes with the person's wrapped data key (null once erased). */
export async function readPersonVersion(
  db: Kysely<Database>,
  personId: string,
  version: number,
): Promise<PersonVersionRow> {
  const row = await db
    .selectFrom('person_version')
    .innerJoin('person_key', 'person_key.person_id', 'person_version.person_id')
    .select([
      'person_version.attributes',
      'person_version.sealed_attributes',
      'person_key.wrapped_key',
    ])
    .where('person_version.person_id', '=', personId)
    .where('person_version.version', '=', version)
    .executeTakeFirstOrThrow();
  return {
    attributes: row.attributes,
    sealedAttributes: row.sealed_attributes,
    wrappedKey: row.wrapped_key,
  };
}

/** The current version of each active person among `personIds`, with their wrapped data key. */
export async function readActiveCurrentVersions(
  db: Kysely<Database>,
  personIds: readonly string[],
): Promise<Array<PersonVersionRow & { personId: string; version: number; regionCode: string }>> {
  if (personIds.length === 0) return [];
  const rows = await db
    .selectFrom('person')
    .innerJoin('person_version', (join) =>
      join
        .onRef('person_version.person_id', '=', 'person.id')
        .onRef('person_version.version', '=', 'person.current_version'),
    )
    .innerJoin('person_key', 'person_key.person_id', 'person.id')
    .select([
      'person.id',
      'person.region_code',
      'person.current_version',
      'person_version.attributes',
      'person_version.sealed_attributes',
      'person_key.wrapped_key',
    ])
    .where('person.id', 'in', personIds)
    .where('person.status', '=', 'active')
    .execute();
  return rows.map((row) => ({
    personId: row.id,
    regionCode: row.region_code,
    version: row.current_version,
    attributes: row.attributes,
    sealedAttributes: row.sealed_attributes,
    wrappedKey: row.wrapped_key,
  }));
}

/** Which persons a job selects: every person of a region, of a household, or by ID numbers. */
export type PersonSelection =
  | { kind: 'region'; regionCode: string }
  | { kind: 'household'; householdId: string }
  | { kind: 'uins'; uins: string[] };

/** Active persons of a selection, by id: a stable order, so that parts of a long job add up. */
export async function selectActivePersonIds(
  db: Kysely<Database>,
  selection: PersonSelection,
): Promise<string[]> {
  let query = db.selectFrom('person').select('person.id').where('person.status', '=', 'active');
  if (selection.kind === 'region')
    query = query.where('person.region_code', '=', selection.regionCode);
  if (selection.kind === 'household') {
    query = query
      .innerJoin('household_membership', 'household_membership.person_id', 'person.id')
      .where('household_membership.household_id', '=', selection.householdId)
      .where('household_membership.valid_to', 'is', null);
  }
  if (selection.kind === 'uins') {
    if (selection.uins.length === 0) return [];
    query = query.where('person.uin', 'in', selection.uins);
  }
  const rows = await query.orderBy('person.id').execute();
  return rows.map((row) => row.id);
}

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
