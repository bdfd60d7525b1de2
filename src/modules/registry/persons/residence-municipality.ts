import { type RawBuilder, sql } from 'kysely';

/**
 * The municipality of residence named by a person version's attributes (issue #17: the
 * programs module records it beside each member of a cycle's frozen set, so coverage can be
 * counted by municipality); null when the version names none. Given the current version's
 * attributes, it is the person's municipality now. The registry owns the SQL; the caller only
 * gives the column of the version's attributes. A cycle's chunk reads it from the facts it
 * already joined (`eligibilityFactsRelation({ withMunicipality: true })`), not by a lookup per
 * person.
 *
 * @example
 *   sql`select ${municipalityInVersion(sql.ref('v.attributes'))} from person_version v …`;
 */
export function municipalityInVersion(attributes: RawBuilder<unknown>): RawBuilder<string | null> {
  return sql<string | null>`(${attributes} ->> 'municipality_code')`;
}

/**
 * The municipality of residence of one person, as a correlated SQL subquery over the
 * registry's current version (`municipalityInVersion`): one index lookup per person, for one
 * person's row (an appeal). The caller only gives the column that holds the person's id.
 *
 * @example
 *   sql`select e.person_id, ${residenceMunicipalityOf(sql.ref('e.person_id'))} from …`;
 */
export function residenceMunicipalityOf(personId: RawBuilder<unknown>): RawBuilder<string | null> {
  return sql<string | null>`(select ${municipalityInVersion(sql.ref('rv.attributes'))}
      from person rp
      join person_version rv on rv.person_id = rp.id and rv.version = rp.current_version
     where rp.id = ${personId})`;
}
