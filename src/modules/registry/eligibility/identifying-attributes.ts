import type { AttributeType } from '../catalogue/attribute-declaration.js';
import { findAttribute } from '../catalogue/catalogue.js';

/**
 * True for an attribute whose value can single one person out: free text (names, locality,
 * address, document number), an exact date of birth, a phone number, an e-mail address, a
 * photo. None is ever a rule variable, whatever its purposes: a program is a rule that is the
 * same for everyone, and `given_names == "Ana" && birth_date == "1970-03-02"` would be a list
 * of one. A rule reads values from closed sets shared by many (a code, a category, a band, a
 * yes/no) or derived facts (`age`, not `birth_date`). Decided by the value's kind, so a new
 * free-text attribute is kept out of rules without anyone having to remember it.
 *
 * @example
 *   identifiesPerson('birth_date'); // true
 *   identifiesPerson('state_code'); // false
 */
export function identifiesPerson(name: string): boolean {
  const attribute = findAttribute(name);
  return attribute !== undefined && identifyingKinds.has(attribute.type.kind);
}

const identifyingKinds: ReadonlySet<AttributeType['kind']> = new Set([
  'string',
  'birth_date',
  'phone',
  'email',
  'image',
]);
