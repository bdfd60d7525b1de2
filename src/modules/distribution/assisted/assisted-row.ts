import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { SecondCheckRefusalCode } from '../../../shared/api/distribution.js';
import { DistributionError } from '../distribution-error.js';

/** One started redemption without the card, as the table holds it. */
export type AssistedRow = Selectable<Database['assisted_redemption']>;

export async function findAssisted(
  db: Kysely<Database>,
  assistedId: string,
): Promise<AssistedRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(assistedId)) return undefined;
  return db
    .selectFrom('assisted_redemption')
    .selectAll()
    .where('id', '=', assistedId)
    .executeTakeFirst();
}

/** The refusal of a second check, with a machine-readable reason the console translates. */
export function checkRefusal(message: string, code: SecondCheckRefusalCode): DistributionError {
  return new DistributionError('AMP_SECOND_CHECK_FAILED', message, [
    { field: '/', reason: message, code },
  ]);
}
