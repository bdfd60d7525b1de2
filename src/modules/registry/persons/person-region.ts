import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { findPerson } from './repository.js';

/**
 * The region a person record belongs to, for a module below the registry that guards access to
 * something about a person (audit's access history): the region decides who may look, and
 * nothing else about the person is handed over.
 *
 * @example
 *   const region = await personRegionLookup(db)(personId); // { personId, regionCode } | undefined
 */
export function personRegionLookup(
  db: Kysely<Database>,
): (personId: string) => Promise<{ personId: string; regionCode: string } | undefined> {
  return async (personId) => {
    const person = await findPerson(db, { personId });
    return person === undefined
      ? undefined
      : { personId: person.id, regionCode: person.regionCode };
  };
}
