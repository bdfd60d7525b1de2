import { open, type SealContext, seal } from '../../../platform/crypto/envelope.js';

/*
 * The one place that says how a person version's sensitive attributes are sealed
 * (person_version.sealed_attributes, safeguard 6). Every writer and reader (enrolment,
 * corrections, the person view, the phone for a text, the import's batch encoder, the test
 * factories) goes through here, so the associated data cannot drift between them: a version
 * sealed by one path and opened by another would otherwise fail only at run time.
 */

/**
 * The associated data of one version's sealed attributes: table, column and `personId:version`,
 * so a ciphertext copied to another person, another version or another column does not open.
 *
 * @example
 *   sealedAttributesContext(personId, 3); // { table: 'person_version', …, recordId: `${personId}:3` }
 */
export function sealedAttributesContext(personId: string, version: number): SealContext {
  return {
    table: 'person_version',
    column: 'sealed_attributes',
    recordId: `${personId}:${version}`,
  };
}

/**
 * The same associated data as the bytes the cipher authenticates (envelope.ts joins the context
 * with `|`), for the import's batch encoder, which runs its own cipher over a million rows.
 */
export function sealedAttributesAssociatedData(personId: string, version: number): string {
  const { table, column, recordId } = sealedAttributesContext(personId, version);
  return `${table}|${column}|${recordId}`;
}

/** Seals a version's sensitive attributes (a JSON object) under the person's data key. */
export function sealVersion(
  dataKey: Buffer,
  personId: string,
  version: number,
  sealed: Readonly<Record<string, unknown>>,
): Buffer {
  const plaintext = Buffer.from(JSON.stringify(sealed));
  return seal(dataKey, plaintext, sealedAttributesContext(personId, version));
}

/** Opens a version's sealed attributes; empty when there are none. */
export function openVersion(
  dataKey: Buffer,
  personId: string,
  version: number,
  sealed: Buffer | null,
): Record<string, unknown> {
  if (sealed === null) return {};
  const plaintext = open(dataKey, sealed, sealedAttributesContext(personId, version));
  // Safe: sealed attributes are only ever written by sealVersion (or the import's encoder,
  // with the same context), always as a JSON object.
  return JSON.parse(plaintext.toString('utf8')) as Record<string, unknown>;
}
