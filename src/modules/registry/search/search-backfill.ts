import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { nameSearchKeys } from './search-keys.js';

/** Persons per round trip: large enough to be quick, small enough for one statement. */
const backfillBatchPersons = 2_000;

/**
 * Writes name search keys for every active person who has none yet — persons written in bulk
 * by an older import skip the per-person path that enrolment takes (the import now writes
 * them with each batch). Idempotent and resumable: it only ever writes persons without a
 * `person_search` row. It walks the persons in key order, so each round starts where the last
 * one stopped instead of skipping, again, every person already done.
 *
 * @example
 *   const written = await backfillSearchKeys(db); // after an import
 */
export async function backfillSearchKeys(db: Kysely<Database>): Promise<number> {
  let written = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await db
      .selectFrom('person')
      .innerJoin('person_version', (join) =>
        join
          .onRef('person_version.person_id', '=', 'person.id')
          .onRef('person_version.version', '=', 'person.current_version'),
      )
      .leftJoin('person_search', 'person_search.person_id', 'person.id')
      .select(['person.id', 'person.region_code', 'person_version.attributes'])
      .where('person_search.person_id', 'is', null)
      .where('person.status', '=', 'active')
      .where('person.id', '>', after)
      .orderBy('person.id')
      .limit(backfillBatchPersons)
      .execute();
    if (rows.length === 0) return written;
    after = rows[rows.length - 1]?.id ?? after;
    const keyed = rows.map((row) => ({ ...row, keys: nameSearchKeys(row.attributes) }));
    // Arrays of arrays do not travel well as parameters; each person's keys go as one JSON text.
    await sql`
      insert into person_search (person_id, region_code, name_keys, name_tokens)
      select id, region_code,
             array(select jsonb_array_elements_text(keys -> 'keys')),
             array(select jsonb_array_elements_text(keys -> 'tokens'))
        from unnest(${keyed.map((row) => row.id)}::uuid[], ${keyed.map((row) => row.region_code)}::text[],
                    ${keyed.map((row) => JSON.stringify(row.keys))}::jsonb[]) as t(id, region_code, keys)
      on conflict (person_id) do nothing`.execute(db);
    written += rows.length;
  }
}
