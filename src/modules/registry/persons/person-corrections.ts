import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';

/**
 * The latest correction of a person's record made after a moment: the version it wrote, or
 * undefined when none was made. A module above the registry (programs' appeals) names the
 * correction a data error led to; it learns the version number and when, no attribute.
 *
 * @example
 *   const corrected = await latestCorrectionSince(trx, personId, dataErrorAt); // { version: 3, … }
 */
export async function latestCorrectionSince(
  db: Kysely<Database> | Transaction<Database>,
  personId: string,
  since: Date,
): Promise<{ version: number; recordedAt: Date } | undefined> {
  const row = await db
    .selectFrom('person_version')
    .select(['version', 'recorded_at'])
    .where('person_id', '=', personId)
    .where('reason', '=', 'correction')
    .where('recorded_at', '>', since)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : { version: row.version, recordedAt: row.recorded_at };
}
