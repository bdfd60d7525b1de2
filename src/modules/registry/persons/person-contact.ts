import type { Kysely, Transaction } from 'kysely';
import { unwrapDataKey } from '../../../platform/crypto/envelope.js';
import type { Database } from '../../../platform/db/schema.js';
import type { AuditEntryInput } from '../../../shared/audit/audit-entry.js';
import { phoneHistoryWithin } from './phone-history.js';
import {
  findPerson,
  type PersonLookup,
  type PersonVersionRow,
  readActiveCurrentVersions,
  readPersonVersion,
} from './repository.js';
import { openVersion } from './sealed-attributes.js';

/** An active person as the sign-in needs one: the record and its current version. */
export interface ContactPerson {
  id: string;
  currentVersion: number;
  /** The person's state (ISO 3166-2:VE): kept with a text to scope the delivery dashboard. */
  regionCode?: string;
}

/** What the access module's `PersonContacts` port asks of the registry (app.ts wires it). */
export interface PersonContactService {
  activePersonByUin(uin: string): Promise<ContactPerson | undefined>;
  activePersonById(id: string): Promise<ContactPerson | undefined>;
  /** The region of a record of any status, for an access decision; nothing else about it. */
  regionOf(id: string): Promise<{ regionCode: string } | undefined>;
  phoneForText(person: ContactPerson): Promise<TextContact | null>;
}

/** Where a text goes, in which language it is written, and the person's state. */
export interface TextContact {
  phone: string;
  language: string | null;
  regionCode: string | null;
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
      ? { id: person.id, currentVersion: person.currentVersion, regionCode: person.regionCode }
      : undefined;
  };
  return {
    activePersonByUin: (uin) => active({ uin }),
    activePersonById: (personId) => active({ personId }),
    async regionOf(personId) {
      const person = await findPerson(deps.db, { personId });
      return person ? { regionCode: person.regionCode } : undefined;
    },
    phoneForText: (person) => phoneOf(deps.db, deps.masterKey, person),
  };
}

/** What reading phones for texts needs of the audit log (an `AuditLog` is one). */
export interface ContactReadRecorder {
  appendInTransaction(
    trx: Transaction<Database>,
    entries: readonly AuditEntryInput[],
  ): Promise<unknown>;
}

/** The job a contact read is audited under: the server sending a text, no operator. */
export const contactReadJob = 'notifications';

/**
 * The notifications module's `TextContacts` port (app.ts wires it): the phone and preferred
 * language of active persons, read with the caller's transaction, so that a text is queued in
 * the same commit as the change that causes it (a person enrolled in that transaction is seen).
 * A person who is not active, has no phone, or whose key was destroyed is left out. One query
 * for many persons (a cycle's entitlements); each phone opened with its person's data key.
 *
 * Every phone opened is a person read (safeguard 3): each person whose phone is read gets an
 * audit entry `person.contact_read` (system actor `notifications`, purpose `notification`,
 * fields `phone` and `preferred_language`), in their access history. The entries of one call
 * are written by one statement in the caller's transaction (`appendInTransaction`), so they
 * commit, or roll back, with the texts they address; a call outside a transaction writes them
 * in one of its own before the phones are returned. `formerContactsIn` answers the phones a
 * person had on file within a window and no longer has (`phone-history.ts`), read and audited
 * the same way, so a change of phone can be told to the phone it replaced.
 *
 * @example
 *   const notifier = personNotifier({ masterKey, contacts: textContacts(masterKey, auditLog) });
 */
export function textContacts(
  masterKey: Buffer,
  audit: ContactReadRecorder,
): {
  contactsIn(
    trx: Kysely<Database>,
    personIds: readonly string[],
  ): Promise<Map<string, TextContact>>;
  formerContactsIn(
    trx: Kysely<Database>,
    personId: string,
    windowMs: number,
  ): Promise<TextContact[]>;
} {
  const audited = async (trx: Kysely<Database>, entries: readonly AuditEntryInput[]) => {
    const write = (transaction: Transaction<Database>) =>
      audit.appendInTransaction(transaction, entries);
    // Safe: `isTransaction` is true only for a Kysely `Transaction`.
    if (trx.isTransaction) await write(trx as Transaction<Database>);
    else await trx.transaction().execute(write);
  };
  return {
    async contactsIn(trx, personIds) {
      const contacts = new Map<string, TextContact>();
      for (const row of await readActiveCurrentVersions(trx, personIds)) {
        const contact = contactOf(masterKey, row.personId, row.version, row);
        if (contact !== null)
          contacts.set(row.personId, { ...contact, regionCode: row.regionCode });
      }
      if (contacts.size === 0) return contacts;
      await audited(trx, [...contacts.keys()].map(contactReadEntry));
      return contacts;
    },
    // The phones the person had on file within the window and has no longer (a change of phone
    // is told to the phone it replaced): a contact read like the current one, audited alike.
    async formerContactsIn(trx, personId, windowMs) {
      const person = await findPerson(trx, { personId });
      if (person?.status !== 'active') return [];
      const { former } = await phoneHistoryWithin(trx, masterKey, personId, windowMs);
      if (former.length === 0) return [];
      await audited(trx, [contactReadEntry(personId)]);
      return former.map((each) => ({ ...each, regionCode: person.regionCode }));
    },
  };
}

/** The audit entry of one person's phone read for a text. */
export function contactReadEntry(personId: string): AuditEntryInput {
  return {
    actor: { kind: 'system', id: contactReadJob, role: 'system', region: null },
    action: 'person.contact_read',
    resource: { type: 'person', id: personId },
    purpose: 'notification',
    fields: ['phone', 'preferred_language'],
    outcome: 'allowed',
    reasonCode: null,
    requestId: null,
  };
}

async function phoneOf(
  db: Kysely<Database>,
  masterKey: Buffer,
  person: ContactPerson,
): Promise<TextContact | null> {
  const version = await readPersonVersion(db, person.id, person.currentVersion);
  const contact = contactOf(masterKey, person.id, person.currentVersion, version);
  return contact === null ? null : { ...contact, regionCode: person.regionCode ?? null };
}

function contactOf(
  masterKey: Buffer,
  personId: string,
  versionNumber: number,
  version: PersonVersionRow,
): TextContact | null {
  if (!version.sealedAttributes || !version.wrappedKey) return null;
  const dataKey = unwrapDataKey(masterKey, version.wrappedKey, personId);
  const attributes = openVersion(dataKey, personId, versionNumber, version.sealedAttributes);
  const phone = attributes.phone;
  if (typeof phone !== 'string' || phone.length === 0) return null;
  const language = version.attributes.preferred_language;
  return { phone, language: typeof language === 'string' ? language : null, regionCode: null };
}
