import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { revocationHash } from './revocation-list.js';

/** Ids are looked up in chunks: one `in` list stays far below PostgreSQL's parameter bound. */
const chunkSize = 5000;

/**
 * The cards a distribution point's offline snapshot may recognise: for each person, the
 * revocation-list hash (`revocationHash`, SHA-256 of the credential id, 128 bits) of each card
 * that is active and not expired at `now`. Never the ids themselves: a device learns a card's
 * hash only by scanning the card, as it does for the revocation list.
 *
 * @example
 *   const hashes = await activeCardHashesOf(db, personIds, new Date()); // Map personId → ['q3Y0…']
 */
export async function activeCardHashesOf(
  db: Kysely<Database>,
  personIds: readonly string[],
  now: Date,
): Promise<Map<string, string[]>> {
  const byPerson = new Map<string, string[]>();
  for (const [personId, ids] of await activeCardIdsOf(db, personIds, now)) {
    byPerson.set(
      personId,
      ids.map((id) => revocationHash(id)),
    );
  }
  return byPerson;
}

/**
 * The ids of the cards that are active and not expired at `now`, by person. For a snapshot's
 * household bindings only (distribution's `household-bindings.ts`): the ids never leave the
 * server — each is mixed with an ID number under the snapshot's salt before anything is written.
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
