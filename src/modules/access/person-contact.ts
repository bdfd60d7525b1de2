/**
 * The little the citizen sign-in needs from the registry, which owns persons: whether an ID
 * number (or a record id) names an active person, and the phone a text to that person goes
 * to. Access sits below the registry, so it declares this port and `src/app.ts` injects the
 * registry's implementation (`personContacts` in `modules/registry`).
 */
export interface ActivePerson {
  id: string;
  currentVersion: number;
}

export interface PersonContacts {
  /** The active person an ID number names; undefined for any other status or none. */
  activePersonByUin(uin: string): Promise<ActivePerson | undefined>;
  /** The active person with this record id; undefined for any other status or none. */
  activePersonById(id: string): Promise<ActivePerson | undefined>;
  /**
   * The region of a record of any status, for an access decision (the clerk's slip code);
   * undefined when there is no such record.
   */
  regionOf(id: string): Promise<{ regionCode: string } | undefined>;
  /**
   * The phone in the person's current version and their preferred language (for the text's
   * words); null when there is no phone or the data key was destroyed (erasure).
   */
  phoneForText(person: ActivePerson): Promise<TextContact | null>;
}

export interface TextContact {
  phone: string;
  /** ISO 639 code of the preferred language, or null when none is recorded. */
  language: string | null;
  /** The person's state, kept with the text to scope the operators' delivery dashboard. */
  regionCode?: string | null;
}
