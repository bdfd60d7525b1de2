import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';

/** One group of active persons: where they live, 5-year age band, sex, and how many. */
export interface PeopleGroup {
  stateCode: string;
  /** Null when the record names no municipality. */
  municipalityCode: string | null;
  /** Null when the record names no parish. */
  parishCode: string | null;
  /** Lower bound of the band in years (0, 5, …, 95 for 95 and over); null without a birth date. */
  ageBandFrom: number | null;
  sex: string | null;
  persons: number;
}

/**
 * The registry's aggregate read model for statistics (issue #17): active persons counted by
 * state, municipality, parish, 5-year age band at `referenceDate` and sex. Counts only — no id, no
 * name, no list leaves the registry; the statistics module protects the counts before anyone
 * sees them. One grouped scan of the current versions.
 *
 * @example
 *   const groups = await peopleByAreaAgeSex(db, '2026-12-01');
 *   groups[0]; // { stateCode: 'VE-A', municipalityCode: 'VE-A-01', ageBandFrom: 30, sex: 'F', persons: 412 }
 */
export async function peopleByAreaAgeSex(
  db: Kysely<Database>,
  referenceDate: string,
): Promise<PeopleGroup[]> {
  const reference = sql`${referenceDate}::date`;
  const result = await sql<{
    state_code: string;
    municipality_code: string | null;
    parish_code: string | null;
    age_band_from: number | null;
    sex: string | null;
    persons: string | number;
  }>`
    select p.region_code as state_code,
           v.attributes ->> 'municipality_code' as municipality_code,
           v.attributes ->> 'parish_code' as parish_code,
           least(95, 5 * floor(case
             when v.attributes ->> 'birth_date' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
               then extract(year from age(${reference}, (v.attributes ->> 'birth_date')::date))
             when v.attributes ->> 'birth_date' ~ '^[0-9]{4}$'
               then extract(year from age(${reference},
                      make_date((v.attributes ->> 'birth_date')::int, 7, 1)))
           end / 5))::int as age_band_from,
           v.attributes ->> 'sex' as sex,
           count(*) as persons
      from person p
      join person_version v on v.person_id = p.id and v.version = p.current_version
     where p.status = 'active'
     group by 1, 2, 3, 4, 5`.execute(db);
  return result.rows.map((row) => ({
    stateCode: row.state_code,
    municipalityCode: row.municipality_code,
    parishCode: row.parish_code,
    ageBandFrom: row.age_band_from === null ? null : Math.max(0, Number(row.age_band_from)),
    sex: row.sex,
    persons: Number(row.persons),
  }));
}
