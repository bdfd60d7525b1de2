import type { Kysely } from 'kysely';
import { unwrapDataKey } from '../../../platform/crypto/envelope.js';
import type { Database } from '../../../platform/db/schema.js';
import { findPerson, type PersonLookup, readPersonVersion } from './repository.js';
import { openVersion } from './sealed-attributes.js';

/** An active person as the sign-in needs one: the record and its current version. */
export interface ContactPerson {
  id: string;
  currentVersion: number;
}

/** What the access module's `PersonContacts` port asks of the registry (app.ts wires it). */
export interface PersonContactService {
  activePersonByUin(uin: string): Promise<ContactPerson | undefined>;
  activePersonById(id: string): Promise<ContactPerson | undefined>;
  /** The region of a record of any status, for an access decision; nothing else about it. */
  regionOf(id: string): Promise<{ regionCode: string } | undefined>;
  phoneForText(person: ContactPerson): Promise<TextContact | null>;
}

/** Where a text goes and in which language it is written. */
export interface TextContact {
  phone: string;
  language: string | null;
}

/**
 * The registry's answer to "who is this, and where does a text to them go": an active
 * person by ID number or record id, and the phone in their current version, opened with their
 * data key, with their preferred language (kept in clear). Nothing else of the record leaves the registry; reading a phone for a text the
 * person asked for (their sign-in code) is not a person read and is not audited here.
 *
 * @example
 *   const contacts = personContacts({ db, masterKey });
 *   const person = await contacts.activePersonByUin('4839201756');
 *   const phone = person ? await contacts.phoneForText(person) : null;
 */
export function personContacts(deps: {
  db: Kysely<Database>;
  masterKey: Buffer;
}): PersonContactService {
  const active = async (lookup: PersonLookup): Promise<ContactPerson | undefined> => {
    const person = await findPerson(deps.db, lookup);
    return person?.status === 'active'
      ? { id: person.id, currentVersion: person.currentVersion }
      : undefined;
  };
  return {
    activePersonByUin: (uin) => active({ uin }),
    activePersonById: (personId) => active({ personId }),
    async regionOf(personId) {
      const person = await findPerson(deps.db, { personId });
      return person ? { regionCode: person.regionCode } : undefined;
    },
    async phoneForText(person) {
      const version = await readPersonVersion(deps.db, person.id, person.currentVersion);
      if (!version.sealedAttributes || !version.wrappedKey) return null;
      const dataKey = unwrapDataKey(deps.masterKey, version.wrappedKey, person.id);
      const attributes = openVersion(
        dataKey,
        person.id,
        person.currentVersion,
        version.sealedAttributes,
      );
      const phone = attributes.phone;
      if (typeof phone !== 'string' || phone.length === 0) return null;
      const language = version.attributes.preferred_language;
      return { phone, language: typeof language === 'string' ? language : null };
    },
  };
}
