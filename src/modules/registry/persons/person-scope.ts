import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { findPerson } from './repository.js';

/**
 * What an access decision needs to know about a person record, and nothing more: whether it
 * exists and its region. For modules that act on a person without reading their file.
 */
export async function personScope(
  db: Kysely<Database>,
  personId: string,
): Promise<{ regionCode: string } | undefined> {
  const person = await findPerson(db, { personId });
  return person ? { regionCode: person.regionCode } : undefined;
}
