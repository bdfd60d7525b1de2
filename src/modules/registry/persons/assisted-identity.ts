import type { Kysely } from 'kysely';
import { unwrapDataKey } from '../../../platform/crypto/envelope.js';
import type { Database } from '../../../platform/db/schema.js';
import { findPerson, readActiveCurrentVersions } from './repository.js';
import { openVersion } from './sealed-attributes.js';

/**
 * What a redemption without the card needs of the registry (issue #15, point 4): who an ID
 * number names (an active person only), the photo on file for the operator to compare with the
 * face in front of them, and whether a card's holder shares the person's household. The one
 * declaration of the port distribution takes (its `distribution-context.ts` re-exports it);
 * `src/app.ts` builds it with the master key and hands it over. Nothing else of the record leaves
 * the registry; the caller audits the read (the photo is named in its entry).
 *
 * @example
 *   const identities = assistedIdentities(masterKey);
 *   const person = await identities.activePersonByUin(db, '4839201756');
 */
export interface AssistedIdentities {
  activePersonByUin(db: Kysely<Database>, uin: string): Promise<{ personId: string } | undefined>;
  /** The photo on file (base64 JPEG, PNG or WebP), or null when none is recorded. */
  photoOf(db: Kysely<Database>, personId: string): Promise<string | null>;
  /** Whether both persons are current members of one household. */
  sameHousehold(db: Kysely<Database>, personId: string, otherId: string): Promise<boolean>;
  /**
   * Whether both persons were members of one household at `at` (memberships open then): an
   * offline hand-over with a household member's card is checked at the device's time.
   */
  sameHouseholdAt(
    db: Kysely<Database>,
    personId: string,
    otherId: string,
    at: Date,
  ): Promise<boolean>;
  /**
   * For an offline snapshot's household bindings: of each active person named, the ID number and
   * the other current members of their household (none when they have no household). Read only
   * by the snapshot builder, which keeps neither: both are mixed into keyed hashes.
   */
  householdsOf(
    db: Kysely<Database>,
    personIds: readonly string[],
  ): Promise<Map<string, { uin: string; memberIds: string[] }>>;
}

export function assistedIdentities(masterKey: Buffer): AssistedIdentities {
  return {
    async activePersonByUin(db, uin) {
      const person = await findPerson(db, { uin });
      return person?.status === 'active' ? { personId: person.id } : undefined;
    },
    async photoOf(db, personId) {
      const [row] = await readActiveCurrentVersions(db, [personId]);
      if (row === undefined || !row.sealedAttributes || !row.wrappedKey) return null;
      const dataKey = unwrapDataKey(masterKey, row.wrappedKey, personId);
      const sealed = openVersion(dataKey, personId, row.version, row.sealedAttributes);
      return typeof sealed.photo === 'string' && sealed.photo !== '' ? sealed.photo : null;
    },
    sameHousehold: (db, personId, otherId) => sharedHousehold(db, personId, otherId, null),
    sameHouseholdAt: (db, personId, otherId, at) => sharedHousehold(db, personId, otherId, at),
    async householdsOf(db, personIds) {
      const found = new Map<string, { uin: string; memberIds: string[] }>();
      for (let start = 0; start < personIds.length; start += 5000) {
        const chunk = personIds.slice(start, start + 5000);
        const rows = await db
          .selectFrom('person as p')
          .innerJoin('household_membership as mine', 'mine.person_id', 'p.id')
          .innerJoin('household_membership as theirs', 'theirs.household_id', 'mine.household_id')
          .select(['p.id', 'p.uin', 'theirs.person_id as member_id'])
          .where('p.id', 'in', chunk)
          .where('p.status', '=', 'active')
          .where('mine.valid_to', 'is', null)
          .where('theirs.valid_to', 'is', null)
          .whereRef('theirs.person_id', '<>', 'p.id')
          .execute();
        for (const row of rows) {
          const entry = found.get(row.id) ?? { uin: row.uin, memberIds: [] };
          entry.memberIds.push(row.member_id);
          found.set(row.id, entry);
        }
      }
      return found;
    },
  };
}

/** Whether both persons are members of one household now (`at` null) or at `at`. */
async function sharedHousehold(
  db: Kysely<Database>,
  personId: string,
  otherId: string,
  at: Date | null,
): Promise<boolean> {
  let query = db
    .selectFrom('household_membership as mine')
    .innerJoin('household_membership as theirs', 'theirs.household_id', 'mine.household_id')
    .select('mine.household_id')
    .where('mine.person_id', '=', personId)
    .where('theirs.person_id', '=', otherId);
  for (const side of ['mine', 'theirs'] as const) {
    query =
      at === null
        ? query.where(`${side}.valid_to`, 'is', null)
        : query
            .where(`${side}.valid_from`, '<=', at)
            .where((eb) =>
              eb.or([eb(`${side}.valid_to`, 'is', null), eb(`${side}.valid_to`, '>', at)]),
            );
  }
  return (await query.execute()).length > 0;
}
