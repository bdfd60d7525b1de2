import type { Kysely } from 'kysely';
import {
  DecryptionError,
  open,
  type SealContext,
  seal,
  unwrapDataKey,
} from '../../../platform/crypto/envelope.js';
import type { Database } from '../../../platform/db/schema.js';

/** One value to seal under a person's data key, bound to where it will be stored. */
export interface PersonSealItem {
  personId: string;
  plaintext: Buffer;
  /** Table, column and record the ciphertext is stored at (the associated data). */
  context: SealContext;
}

/** One value sealed by `sealForPersons`, to open. */
export interface PersonOpenItem {
  personId: string;
  sealed: Buffer;
  context: SealContext;
}

/**
 * Person data that another module must keep (a payout's creditor name, account and cédula),
 * sealed under the person's own data key (safeguard 6), exactly like the registry's sealed
 * attributes: AES-256-GCM, the associated data naming the caller's table, column and record.
 * So the registry's lawful erasure, which destroys the person's wrapped key, crypto-shreds this
 * data too, wherever it is kept; no module needs to be told. The keys never leave this file.
 *
 * `seal` answers null for a person who has no key (unknown, or erased): nothing may be stored
 * for them. `open` answers null for a person whose key was destroyed; a ciphertext that does
 * not open under a live key is corruption and throws, without the data in the message.
 *
 * @example
 *   const sealer = personDataSealer(masterKey);
 *   const [box] = await sealer.seal(trx, [{ personId, plaintext, context }]);
 *   const [plain] = await sealer.open(db, [{ personId, sealed: box, context }]); // null once erased
 */
export function personDataSealer(masterKey: Buffer): {
  seal(db: Kysely<Database>, items: readonly PersonSealItem[]): Promise<Array<Buffer | null>>;
  open(db: Kysely<Database>, items: readonly PersonOpenItem[]): Promise<Array<Buffer | null>>;
} {
  return {
    async seal(db, items) {
      const keys = await dataKeys(db, masterKey, items);
      return items.map((item) => {
        const key = keys.get(item.personId);
        return key === undefined ? null : seal(key, item.plaintext, item.context);
      });
    },
    async open(db, items) {
      const keys = await dataKeys(db, masterKey, items);
      return items.map((item) => {
        const key = keys.get(item.personId);
        if (key === undefined) return null;
        try {
          return open(key, item.sealed, item.context);
        } catch (error) {
          if (error instanceof DecryptionError)
            throw new Error('Person data sealed by another module does not open: corrupt or moved');
          throw error;
        }
      });
    },
  };
}

const personsPerQuery = 5_000;

/** The live data keys of the persons named, unwrapped; a shredded or unknown key is absent. */
async function dataKeys(
  db: Kysely<Database>,
  masterKey: Buffer,
  items: readonly { personId: string }[],
): Promise<Map<string, Buffer>> {
  const personIds = [...new Set(items.map((item) => item.personId))];
  const keys = new Map<string, Buffer>();
  for (let start = 0; start < personIds.length; start += personsPerQuery) {
    const rows = await db
      .selectFrom('person_key')
      .select(['person_id', 'wrapped_key'])
      .where('person_id', 'in', personIds.slice(start, start + personsPerQuery))
      .where('wrapped_key', 'is not', null)
      .execute();
    for (const row of rows) {
      if (row.wrapped_key === null) continue;
      keys.set(
        row.person_id,
        unwrapDataKey(masterKey, Buffer.from(row.wrapped_key), row.person_id),
      );
    }
  }
  return keys;
}
