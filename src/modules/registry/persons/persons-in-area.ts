import { type RawBuilder, sql } from 'kysely';
import { municipalityInVersion } from './residence-municipality.js';

/** An area a service point covers: a state, and within it a municipality when one is named. */
export interface ResidenceArea {
  /** ISO 3166-2:VE state, e.g. `VE-A`. */
  regionCode: string;
  /** Municipality of residence (`VE-V-13`); null: the whole state. */
  municipalityCode: string | null;
}

/**
 * The ids of the persons registered in an area, as a subquery for `where … in (…)`: the
 * person's state (`person.region_code`) and, when the area names one, the municipality of
 * residence on the current version (`municipalityInVersion`). The registry owns the SQL; the
 * caller only puts it in its own `where` (a distribution point's offline snapshot holds the
 * persons of its area, issue #15). A person whose record names no municipality is in a state's
 * area only.
 *
 * @example
 *   db.selectFrom('entitlement as e').where('e.person_id', 'in', personsInArea({
 *     regionCode: 'VE-A', municipalityCode: 'VE-A-01' }));
 */
export function personsInArea(area: ResidenceArea): RawBuilder<string> {
  if (area.municipalityCode === null) {
    return sql<string>`(select ap.id from person ap where ap.region_code = ${area.regionCode})`;
  }
  return sql<string>`(select ap.id from person ap
      join person_version av on av.person_id = ap.id and av.version = ap.current_version
     where ap.region_code = ${area.regionCode}
       and ${municipalityInVersion(sql.ref('av.attributes'))} = ${area.municipalityCode})`;
}
