import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';

/** All SQL of the registry's read side. */

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

export async function currentHousehold(
  db: Kysely<Database>,
  personId: string,
): Promise<{ householdId: string; relationship: string } | undefined> {
  const row = await db
    .selectFrom('household_membership')
    .select(['household_id', 'relationship'])
    .where('person_id', '=', personId)
    .where('valid_to', 'is', null)
    .executeTakeFirst();
  return row ? { householdId: row.household_id, relationship: row.relationship } : undefined;
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
