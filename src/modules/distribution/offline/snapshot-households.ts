import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { activeCardIdsOf } from '../../credentials/index.js';
import type { EntitlementForRedemption } from '../../programs/index.js';
import type { AssistedIdentities } from '../distribution-context.js';
import type { CarriedLine } from '../redemption/carry-over.js';
import type { PendingBinding } from './household-bindings.js';

/** Adds an entitlement's entries (one per card tag given) to a snapshot; false when none. */
export type EntryAdder = (
  entitlement: EntitlementForRedemption,
  lines?: CarriedLine[],
  hashes?: readonly string[],
) => boolean;

/** What the snapshot builder's pages read, for the household bindings after them. */
export interface PersonsRead {
  /**
   * Each person read: the snapshot card keys of their active cards (`snapshot-card-key.ts`; an
   * empty list: none).
   */
  cardKeys: Map<string, Buffer[]>;
  /** Each person entered under a card of their own: the card tag their bindings point at. */
  targets: Map<string, string>;
  /** The entitlements of persons without an active card, not entered yet. */
  cardless: { entitlement: EntitlementForRedemption; lines: CarriedLine[] | undefined }[];
}

export type HouseholdToBind = Omit<PendingBinding, 'entryIndex'> & { target: string };

/**
 * Of the persons a snapshot's pages read (issue #15, points 4 and 5), those a household
 * member's card may find offline: each with an ID number and at least one housemate with an
 * active card — their ID number, those cards' snapshot keys and the card tag their bindings point at.
 * One read of the households of all of them (the registry's port) instead of one per page,
 * and the housemates' cards taken from what the pages read, so only housemates outside the
 * snapshot are read again. A person without a card of their own is entered here, under a random
 * 128-bit tag of this snapshot (a housemate's card still finds them), or not at all.
 *
 * @example
 *   const households = await householdsToBind(db, identities, now, read, add);
 */
export async function householdsToBind(
  db: Kysely<Database>,
  identities: Pick<AssistedIdentities, 'householdsOf'>,
  now: Date,
  read: PersonsRead,
  add: EntryAdder,
  keyOf: (credentialId: Buffer) => Buffer,
): Promise<HouseholdToBind[]> {
  const cardlessOf = new Map<string, PersonsRead['cardless']>();
  for (const each of read.cardless) {
    const list = cardlessOf.get(each.entitlement.personId) ?? [];
    list.push(each);
    cardlessOf.set(each.entitlement.personId, list);
  }
  const households = await identities.householdsOf(db, [
    ...read.targets.keys(),
    ...cardlessOf.keys(),
  ]);
  const memberIds = new Set([...households.values()].flatMap((each) => each.memberIds));
  const unread = [...memberIds].filter((id) => !read.cardKeys.has(id));
  const more = await activeCardIdsOf(db, unread, now);
  const moreKeys = new Map([...more].map(([id, cards]) => [id, cards.map(keyOf)]));
  const found: HouseholdToBind[] = [];
  for (const [personId, household] of households) {
    const memberCardKeys = household.memberIds.flatMap(
      (id) => read.cardKeys.get(id) ?? moreKeys.get(id) ?? [],
    );
    if (memberCardKeys.length === 0 || household.uin === '') continue;
    let target = read.targets.get(personId);
    if (target === undefined) {
      const tag = randomBytes(16).toString('base64url');
      const entered = (cardlessOf.get(personId) ?? []).map(({ entitlement, lines }) =>
        add(entitlement, lines, [tag]),
      );
      if (!entered.includes(true)) continue;
      target = tag;
    }
    found.push({ uin: household.uin, memberCardKeys, target });
  }
  return found;
}
