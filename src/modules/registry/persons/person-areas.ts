import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { municipalityInVersion } from './residence-municipality.js';

/** Where an active person lives, as far as a service point near them needs it. */
export interface PersonArea {
  /** ISO 3166-2:VE state, e.g. `VE-A`. */
  regionCode: string;
  /** Municipality of residence (`VE-V-13`), when recorded. */
  municipalityCode: string | null;
}

/**
 * The state and municipality of active persons, read with the caller's transaction (the
 * `PersonAreas` port of the distribution module, wired in `src/app.ts`: a cycle's beneficiaries
 * are told the open point nearest them). Both are clear attributes of the current version;
 * nothing sealed is opened and nothing else leaves the registry. One query for many persons.
 *
 * @example
 *   const areas = await personAreas().areasIn(trx, personIds);
 *   areas.get(personId); // { regionCode: 'VE-A', municipalityCode: 'VE-A-01' }
 */
export function personAreas(): {
  areasIn(trx: Kysely<Database>, personIds: readonly string[]): Promise<Map<string, PersonArea>>;
  areasEverOf(db: Kysely<Database>, personId: string): Promise<PersonArea[]>;
} {
  return {
    /**
     * Every area one person's record has named, current and past versions alike (the state of
     * a version that names none is the person's state now): the snapshots of the points of
     * those areas are the ones that could have held them (distribution's access-history lines).
     */
    async areasEverOf(db, personId) {
      const rows = await db
        .selectFrom('person')
        .innerJoin('person_version', 'person_version.person_id', 'person.id')
        .select([
          sql<string>`coalesce(person_version.attributes ->> 'state_code', person.region_code)`.as(
            'region_code',
          ),
          sql<string | null>`${municipalityInVersion(sql.ref('person_version.attributes'))}`.as(
            'municipality_code',
          ),
        ])
        .distinct()
        .where('person.id', '=', personId)
        .execute();
      return rows.map((row) => ({
        regionCode: row.region_code,
        municipalityCode: row.municipality_code,
      }));
    },
    async areasIn(trx, personIds) {
      if (personIds.length === 0) return new Map();
      const rows = await trx
        .selectFrom('person')
        .innerJoin('person_version', (join) =>
          join
            .onRef('person_version.person_id', '=', 'person.id')
            .onRef('person_version.version', '=', 'person.current_version'),
        )
        .select(['person.id', 'person.region_code', 'person_version.attributes'])
        .where('person.id', 'in', personIds)
        .where('person.status', '=', 'active')
        .execute();
      return new Map(
        rows.map((row) => {
          // Safe: the column holds the catalogue-checked attributes (text on PGlite).
          const attributes = (
            typeof row.attributes === 'string' ? JSON.parse(row.attributes) : row.attributes
          ) as Record<string, unknown>;
          const municipality = attributes.municipality_code;
          return [
            row.id,
            {
              regionCode: row.region_code,
              municipalityCode: typeof municipality === 'string' ? municipality : null,
            },
          ];
        }),
      );
    },
  };
}
