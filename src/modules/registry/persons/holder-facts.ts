import type { Kysely, Transaction } from 'kysely';
import { unwrapDataKey } from '../../../platform/crypto/envelope.js';
import type { Database } from '../../../platform/db/schema.js';
import {
  findPerson,
  lockPerson,
  type PersonIdentity,
  type PersonSelection,
  readPersonVersion,
  readVersion,
  selectActivePersonIds,
} from './repository.js';
import { openVersion } from './sealed-attributes.js';

/*
 * What the registry tells a module above it (credentials) about a person: where the record
 * stands, and the few named attributes a card is made of. The caller names the attributes it
 * needs and gets those only; it never reads the registry's tables or opens a sealed value
 * itself (issue #12, point 4). Access is the caller's to guard, with the person-access guard.
 */

/** A person's standing and the named attributes of one version (plain and opened sealed). */
export interface HolderFacts extends PersonIdentity {
  version: number;
  /** Null once the record is erased: its data key is destroyed, nothing opens. */
  attributes: Record<string, unknown> | null;
}

/**
 * Where a person record stands (id, ID number, status, region, current version): what a guard
 * decides by. No attribute.
 *
 * @example
 *   const person = await personStanding(db, personId); // undefined when there is none
 */
export async function personStanding(
  db: Kysely<Database>,
  personId: string,
): Promise<PersonIdentity | undefined> {
  return findPerson(db, { personId });
}

/**
 * Locks the person row until the caller's transaction ends (a death or a merge recorded at the
 * same time waits) and gives the named attributes of its current version.
 *
 * @example
 *   const facts = await lockHolderFacts(trx, masterKey, personId, ['given_names', 'sex']);
 */
export async function lockHolderFacts(
  trx: Transaction<Database>,
  masterKey: Buffer,
  personId: string,
  names: readonly string[],
): Promise<HolderFacts | undefined> {
  const person = await lockPerson(trx, personId);
  if (person === undefined) return undefined;
  const { wrappedKey, ...identity } = person;
  const version = await readVersion(trx, person.id, person.currentVersion);
  const attributes =
    wrappedKey === null
      ? null
      : named(
          {
            ...version.attributes,
            ...opened(masterKey, person.id, wrappedKey, person.currentVersion, version.sealed),
          },
          names,
        );
  return { ...identity, version: person.currentVersion, attributes };
}

/**
 * The named attributes of a given version (the one a card was issued from), with the person's
 * standing today.
 *
 * @example
 *   const facts = await holderFactsAt(db, masterKey, personId, 2, cardAttributeNames);
 */
export async function holderFactsAt(
  db: Kysely<Database>,
  masterKey: Buffer,
  personId: string,
  version: number,
  names: readonly string[],
): Promise<HolderFacts | undefined> {
  const person = await findPerson(db, { personId });
  if (person === undefined) return undefined;
  const { updatedAt: _updatedAt, ...identity } = person;
  const row = await readPersonVersion(db, person.id, version);
  const attributes =
    person.status === 'erased' || row.wrappedKey === null
      ? null
      : named(
          {
            ...row.attributes,
            ...opened(masterKey, person.id, row.wrappedKey, version, row.sealedAttributes),
          },
          names,
        );
  return { ...identity, version, attributes };
}

/**
 * Active persons of a selection (a region, a household's current members, ID numbers), by id in
 * a stable order, for a long job that goes through them in parts.
 */
export async function activePersonIds(
  db: Kysely<Database>,
  selection: PersonSelection,
): Promise<string[]> {
  return selectActivePersonIds(db, selection);
}

function opened(
  masterKey: Buffer,
  personId: string,
  wrappedKey: Buffer,
  version: number,
  sealed: Buffer | null,
): Record<string, unknown> {
  return openVersion(unwrapDataKey(masterKey, wrappedKey, personId), personId, version, sealed);
}

function named(attributes: Record<string, unknown>, names: readonly string[]) {
  return Object.fromEntries(
    names.filter((name) => name in attributes).map((name) => [name, attributes[name]]),
  );
}
