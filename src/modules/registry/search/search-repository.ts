import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';

/** All SQL of person search. */

type Db = Kysely<Database>;
const searchableStatuses = ['active', 'deceased'] as const;

/** A person as listed by a search: identity and the current version's plain attributes. */
export interface PersonSummaryRow {
  id: string;
  uin: string;
  status: 'active' | 'deceased' | 'merged' | 'erased';
  regionCode: string;
  attributes: Record<string, unknown>;
}

/** Summaries of these persons, in the order of `personIds`. */
export async function personSummaries(
  db: Db,
  personIds: readonly string[],
): Promise<PersonSummaryRow[]> {
  if (personIds.length === 0) return [];
  const rows = await db
    .selectFrom('person')
    .innerJoin('person_version', (join) =>
      join
        .onRef('person_version.person_id', '=', 'person.id')
        .onRef('person_version.version', '=', 'person.current_version'),
    )
    .select([
      'person.id',
      'person.uin',
      'person.status',
      'person.region_code',
      'person_version.attributes',
    ])
    .where('person.id', 'in', personIds)
    .execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  return personIds.flatMap((id) => {
    const row = byId.get(id);
    if (row === undefined) return [];
    return [
      {
        id: row.id,
        uin: row.uin,
        status: row.status,
        regionCode: row.region_code,
        attributes: row.attributes,
      },
    ];
  });
}

export async function searchByUin(db: Db, uin: string, regions: readonly string[]) {
  const rows = await db
    .selectFrom('person')
    .select('id')
    .where('uin', '=', uin)
    .where('region_code', 'in', regions)
    .where('status', 'in', searchableStatuses)
    .execute();
  return rows.map((row) => row.id);
}

/** Page of persons whose phone digest matches, by id after the cursor. */
export async function searchByPhone(
  db: Db,
  props: { digest: Buffer; regions: readonly string[]; after: string | null; limit: number },
): Promise<string[]> {
  let query = db
    .selectFrom('person_blind_index')
    .innerJoin('person', 'person.id', 'person_blind_index.person_id')
    .select('person.id')
    .where('person_blind_index.kind', '=', 'phone')
    .where('person_blind_index.digest', '=', props.digest)
    .where('person.region_code', 'in', props.regions)
    .where('person.status', 'in', searchableStatuses);
  if (props.after !== null) query = query.where('person.id', '>', props.after);
  const rows = await query.orderBy('person.id').limit(props.limit).execute();
  return rows.map((row) => row.id);
}

/** Page of a household's current members, by id after the cursor. */
export async function searchByHousehold(
  db: Db,
  props: { householdId: string; regions: readonly string[]; after: string | null; limit: number },
): Promise<string[]> {
  let query = db
    .selectFrom('household_membership')
    .innerJoin('person', 'person.id', 'household_membership.person_id')
    .select('person.id')
    .where('household_membership.household_id', '=', props.householdId)
    .where('household_membership.valid_to', 'is', null)
    .where('person.region_code', 'in', props.regions)
    .where('person.status', 'in', searchableStatuses);
  if (props.after !== null) query = query.where('person.id', '>', props.after);
  const rows = await query.orderBy('person.id').limit(props.limit).execute();
  return rows.map((row) => row.id);
}

/**
 * Persons having, for every query word, at least one of that word's keys (`&&` is array
 * overlap, served by the GIN index). At most `limit` rows, by id so the cut is stable.
 */
export async function searchByNameKeys(
  db: Db,
  props: { keyGroups: readonly string[][]; regions: readonly string[]; limit: number },
): Promise<Array<{ personId: string; tokens: string[] }>> {
  let query = db
    .selectFrom('person_search')
    .innerJoin('person', 'person.id', 'person_search.person_id')
    .select(['person_search.person_id', 'person_search.name_tokens'])
    .where('person_search.region_code', 'in', props.regions)
    .where('person.status', 'in', searchableStatuses);
  for (const keys of props.keyGroups) {
    query = query.where(sql<boolean>`person_search.name_keys && ${sql.val(keys)}::text[]`);
  }
  const rows = await query.orderBy('person_search.person_id').limit(props.limit).execute();
  return rows.map((row) => ({ personId: row.person_id, tokens: row.name_tokens }));
}
