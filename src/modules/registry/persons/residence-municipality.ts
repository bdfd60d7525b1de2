import { type RawBuilder, sql } from 'kysely';

/**
 * The municipality of residence of one person, as a correlated SQL subquery over the
 * registry's current version (issue #17: the programs module records it beside each member of
 * a cycle's frozen set, so coverage can be counted by municipality). One index lookup per
 * person; null when the record names none. The registry owns the SQL; the caller only gives
 * the column that holds the person's id.
 *
 * @example
 *   sql`select e.person_id, ${residenceMunicipalityOf(sql.ref('e.person_id'))} from …`;
 */
export function residenceMunicipalityOf(personId: RawBuilder<unknown>): RawBuilder<string | null> {
  return sql<string | null>`(select rv.attributes ->> 'municipality_code'
      from person rp
      join person_version rv on rv.person_id = rp.id and rv.version = rp.current_version
     where rp.id = ${personId})`;
}
