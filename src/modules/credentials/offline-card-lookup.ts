import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';

/** Ids are looked up in chunks: one `in` list stays far below PostgreSQL's parameter bound. */
const chunkSize = 5000;

/**
 * The ids of the cards that are active and not expired at `now`, by person: the cards a
 * distribution point's offline snapshot may recognise. The snapshot does not carry the ids: it
 * holds each card's tag, an HMAC of the id under the snapshot's random salt (distribution's
 * `snapshot-card-key.ts`), and for its household bindings (`household-bindings.ts`) mixes the
 * other half of that HMAC with an ID number. A credential id is no secret of the card (a person's card list shows
 * it to officers), so an offline receipt proves the card by its signed QR text
 * (`offlineCardProofs`), not by its id.
 *
 * @example
 *   const ids = await activeCardIdsOf(db, personIds, new Date()); // Map personId → [Buffer(16)]
 */
export async function activeCardIdsOf(
  db: Kysely<Database>,
  personIds: readonly string[],
  now: Date,
): Promise<Map<string, Buffer[]>> {
  const byPerson = new Map<string, Buffer[]>();
  for (let start = 0; start < personIds.length; start += chunkSize) {
    const chunk = personIds.slice(start, start + chunkSize);
    const rows = await db
      .selectFrom('credential')
      .select(['id', 'person_id'])
      .where('person_id', 'in', chunk)
      .where('status', '=', 'active')
      .where('expires_at', '>', now)
      .orderBy('id')
      .execute();
    for (const row of rows) {
      const ids = byPerson.get(row.person_id) ?? [];
      ids.push(row.id);
      byPerson.set(row.person_id, ids);
    }
  }
  return byPerson;
}

/** Whose a card is and whether it was usable at a moment, for a receipt a device made offline. */
export interface OfflineCardHolder {
  personId: string;
  /** Why the card could not be used at that moment, or null. */
  problem: 'revoked' | 'expired' | null;
}

/**
 * The holders of cards devices scanned offline (credential ids, 32 hex digits each), and whether
 * each card was usable at its moment (the device's time of the redemption): revoked before it,
 * or expired. A card this registry never issued is absent from the answer.
 *
 * @example
 *   const holders = await offlineCardHolders(db, [{ credentialId, at: deviceTime }]);
 *   holders.get(credentialId)?.(deviceTime); // { personId, problem: null }
 */
export async function offlineCardHolders(
  db: Kysely<Database>,
  credentialIds: readonly string[],
): Promise<Map<string, (at: Date) => OfflineCardHolder>> {
  const valid = [...new Set(credentialIds.filter((id) => /^[0-9a-f]{32}$/.test(id)))];
  const found = new Map<string, (at: Date) => OfflineCardHolder>();
  for (let start = 0; start < valid.length; start += chunkSize) {
    const rows = await db
      .selectFrom('credential')
      .select(['id', 'person_id', 'expires_at', 'status', 'revoked_at'])
      .where(
        'id',
        'in',
        valid.slice(start, start + chunkSize).map((id) => Buffer.from(id, 'hex')),
      )
      .execute();
    for (const row of rows) {
      found.set(row.id.toString('hex'), (at) => ({
        personId: row.person_id,
        problem:
          row.status === 'revoked' && row.revoked_at !== null && row.revoked_at <= at
            ? 'revoked'
            : row.expires_at <= at
              ? 'expired'
              : null,
      }));
    }
  }
  return found;
}
