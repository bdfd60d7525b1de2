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

/**
 * Active persons counted by the state and municipality they live in: the same persons, state
 * and municipality a cycle's run reads (`eligibilityFactsRelation`'s active persons and
 * `residenceMunicipalityOf`), over one range of person ids and, when given, only some states
 * (issue #17: the programs module records what each chunk of a run considered, coverage's
 * "enrolled"). Counts only; a municipality the record does not name is ''.
 *
 * @example
 *   sql`insert into counts select * from ${activePersonsByArea({ personIdRange, regions: ['VE-A'] })} a`;
 */
export function activePersonsByArea(options: {
  personIdRange?: { from: string; to: string | undefined };
  regions?: readonly string[];
}): RawBuilder<{ region_code: string; municipality_code: string; persons: number }> {
  const range = options.personIdRange;
  // The range on both sides of the join: PostgreSQL does not carry it across (see
  // `eligibilityFactsRelation`), and a chunk would otherwise read every version.
  const inRange = (column: string) =>
    range === undefined
      ? sql`true`
      : range.to === undefined
        ? sql`${sql.ref(column)} >= ${range.from}::uuid`
        : sql`${sql.ref(column)} >= ${range.from}::uuid and ${sql.ref(column)} < ${range.to}::uuid`;
  const regions = options.regions ?? [];
  const inRegions =
    regions.length === 0
      ? sql`true`
      : sql`p.region_code in (${sql.join(regions.map((region) => sql`${region}`))})`;
  return sql`(select p.region_code, coalesce(${municipalityInVersion(sql.ref('v.attributes'))}, '') as municipality_code,
             count(*)::int as persons
        from person p
        join person_version v on v.person_id = p.id and v.version = p.current_version
       where p.status = 'active' and ${inRegions} and ${inRange('p.id')} and ${inRange('v.person_id')}
       group by 1, 2)`;
}
