import { randomUUID } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import type { PopulationRecord } from '../src/modules/registry/import/population-record.js';
import { sealVersion } from '../src/modules/registry/persons/sealed-attributes.js';
import { blindIndex, newDataKey, wrapDataKey } from '../src/platform/crypto/envelope.js';
import type { Database } from '../src/platform/db/schema.js';

/** Rows per multi-row INSERT: large enough to amortise round trips, small for memory. */
export const loadBatchRecords = 500;

export interface PopulationLoadOptions {
  masterKey: Buffer;
  /** Draws a fresh person ID number. */
  nextUin: () => string;
  reason: 'import' | 'demo';
  onProgress?: (loaded: number) => void;
}

/**
 * Writes population records (the demo generator's format) into the registry: a person,
 * its first version, its wrapped data key, a phone blind index and a household membership
 * per record. Sensitive attributes are sealed under the person's own data key. Each batch
 * is one transaction, so a batch is either wholly present or absent.
 *
 * @example
 *   await loadPopulation(db, generatePopulation(options), { masterKey, nextUin: generateUin, reason: 'demo' });
 */
export async function loadPopulation(
  db: Kysely<Database>,
  records: Iterable<PopulationRecord>,
  options: PopulationLoadOptions,
): Promise<{ persons: number; households: number }> {
  const householdIds = new Map<string, string>();
  let batch: PopulationRecord[] = [];
  let persons = 0;
  for (const record of records) {
    batch.push(record);
    if (batch.length === loadBatchRecords) {
      persons += await insertBatch(db, batch, householdIds, options);
      batch = [];
      options.onProgress?.(persons);
    }
  }
  if (batch.length > 0) persons += await insertBatch(db, batch, householdIds, options);
  options.onProgress?.(persons);
  return { persons, households: householdIds.size };
}

async function insertBatch(
  db: Kysely<Database>,
  batch: PopulationRecord[],
  householdIds: Map<string, string>,
  options: PopulationLoadOptions,
): Promise<number> {
  const rows = buildRows(batch, householdIds, options);
  await db.transaction().execute(async (trx) => {
    if (rows.households.length > 0)
      await trx.insertInto('household').values(rows.households).execute();
    await trx.insertInto('person').values(rows.persons).execute();
    await trx.insertInto('person_key').values(rows.keys).execute();
    await trx.insertInto('person_version').values(rows.versions).execute();
    if (rows.indexes.length > 0)
      await trx.insertInto('person_blind_index').values(rows.indexes).execute();
    await trx.insertInto('household_membership').values(rows.memberships).execute();
  });
  return batch.length;
}

function buildRows(
  batch: PopulationRecord[],
  householdIds: Map<string, string>,
  options: PopulationLoadOptions,
) {
  const rows = {
    households: [] as Array<{ id: string; region_code: string }>,
    persons: [] as Array<{ id: string; uin: string; region_code: string; merged_into: null }>,
    keys: [] as Array<{ person_id: string; wrapped_key: Buffer; shredded_at: null }>,
    versions: [] as Insertable<Database['person_version']>[],
    indexes: [] as Array<{ person_id: string; kind: 'phone'; digest: Buffer }>,
    memberships: [] as Array<{
      household_id: string;
      person_id: string;
      relationship: string;
      recorded_by: null;
    }>,
  };
  for (const record of batch) {
    let householdId = householdIds.get(record.householdId);
    if (householdId === undefined) {
      householdId = randomUUID();
      householdIds.set(record.householdId, householdId);
      rows.households.push({ id: householdId, region_code: record.stateCode });
    }
    const personId = randomUUID();
    const dataKey = newDataKey();
    rows.persons.push({
      id: personId,
      uin: options.nextUin(),
      region_code: record.stateCode,
      merged_into: null,
    });
    rows.keys.push({
      person_id: personId,
      wrapped_key: wrapDataKey(options.masterKey, dataKey, personId),
      shredded_at: null,
    });
    rows.versions.push({
      person_id: personId,
      version: 1,
      attributes: plainAttributes(record),
      sealed_attributes: sealVersion(dataKey, personId, 1, sensitiveAttributes(record)),
      reason: options.reason,
      recorded_by: null,
    });
    if (record.phone) {
      rows.indexes.push({
        person_id: personId,
        kind: 'phone',
        digest: blindIndex(options.masterKey, 'phone', record.phone),
      });
    }
    rows.memberships.push({
      household_id: householdId,
      person_id: personId,
      relationship: record.relationship,
      recorded_by: null,
    });
  }
  return rows;
}

function plainAttributes(record: PopulationRecord): Record<string, unknown> {
  return {
    given_names: record.givenNames,
    first_surname: record.firstSurname,
    second_surname: record.secondSurname || null,
    sex: record.sex,
    birth_date: record.birthDate,
    birth_date_approximate: record.birthDateApproximate,
    birth_state_code: record.birthStateCode || null,
    nationality: record.nationality,
    state_code: record.stateCode,
    municipality_code: record.municipalityCode || null,
    parish_code: record.parishCode || null,
    locality: record.locality || null,
    preferred_language: record.preferredLanguage,
    income_band: record.incomeBand,
  };
}

function sensitiveAttributes(record: PopulationRecord): Record<string, unknown> {
  return {
    phone: record.phone || null,
    address_line: record.addressLine || null,
    disability_status: record.disabilityStatus,
  };
}
