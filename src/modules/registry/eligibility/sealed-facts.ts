import { DecryptionError, unwrapDataKey } from '../../../platform/crypto/envelope.js';
import type { AuditEntryInput } from '../../../shared/audit/audit-entry.js';
import { listAttributes } from '../catalogue/catalogue.js';
import { openVersion } from '../persons/sealed-attributes.js';
import { identifiesPerson } from './identifying-attributes.js';

/**
 * Sealed eligibility facts (`disability_status`): the only way a rule's sealed part learns a
 * person's value. The ciphertext comes from the facts relation (`withSealed`), is opened here
 * with the person's data key, and only the sealed facts a rule may read leave this function —
 * never the phone, address or document number sealed beside them. Callers keep the values in
 * memory (the programs' worker threads), never in a log or a table.
 *
 * The registry's rule for every read of sealed data: audited, with the purpose and the fields,
 * before it is opened (`sealedFactsReadEntry`).
 *
 * @example
 *   const sealed = openSealedFacts(masterKey, row, ['disability_status']); // { disability_status: 'visual' }
 */
export interface SealedFactsRow {
  readonly person_id: string;
  readonly sealed_version: number | null;
  readonly sealed_box: Uint8Array | null;
  readonly sealed_key: Uint8Array | null;
}

/** Names of the facts a rule may read that are stored sealed. */
export function sealedEligibilityFactNames(): string[] {
  // The same selection as eligibilityFacts() makes (a rule may read it, it identifies no one).
  return listAttributes()
    .filter(
      (attribute) =>
        attribute.sealed &&
        !identifiesPerson(attribute.name) &&
        attribute.purposes.includes('eligibility_review'),
    )
    .map((attribute) => attribute.name);
}

/** The sealed facts a rule may read: the catalogue is fixed while the process runs. */
let allowed: ReadonlySet<string> | undefined;

/**
 * The named sealed facts of one person; a fact that is absent, or a key destroyed by an
 * erasure, is simply unknown (left out). A ciphertext that does not open is corruption: it
 * throws, without the person's data in the message.
 */
export function openSealedFacts(
  masterKey: Buffer,
  row: SealedFactsRow,
  names: readonly string[],
): Record<string, unknown> {
  if (row.sealed_box === null || row.sealed_key === null || row.sealed_version === null) return {};
  let opened: Record<string, unknown>;
  try {
    const dataKey = unwrapDataKey(masterKey, Buffer.from(row.sealed_key), row.person_id);
    opened = openVersion(dataKey, row.person_id, row.sealed_version, Buffer.from(row.sealed_box));
  } catch (error) {
    if (error instanceof DecryptionError) {
      throw new Error(
        'Sealed attributes of a person do not open: the data is corrupt or was moved',
      );
    }
    throw error;
  }
  allowed ??= new Set(sealedEligibilityFactNames());
  const facts: Record<string, unknown> = {};
  for (const name of names) {
    const value = opened[name];
    if (allowed.has(name) && value !== undefined && value !== null) facts[name] = value;
  }
  return facts;
}

/**
 * The audit entry of a batch read of sealed facts for eligibility: one entry per batch (the
 * entry has no count field, so the count travels in the request id, as the dedup run's does),
 * appended before anything is opened (and, for a cycle's chunk, before its transaction).
 */
export function sealedFactsReadEntry(props: {
  job: string;
  fields: readonly string[];
  /** How many persons' facts are opened; null when not known before (a cycle's chunk). */
  persons: number | null;
  requestId: string;
}): AuditEntryInput {
  return {
    actor: { kind: 'system', id: props.job, role: 'system', region: null },
    action: 'person.eligibility_sealed_read',
    resource: { type: 'person', id: null },
    purpose: 'eligibility_review',
    fields: [...props.fields].sort(),
    outcome: 'allowed',
    reasonCode: null,
    requestId:
      props.persons === null ? props.requestId : `${props.requestId}:persons:${props.persons}`,
  };
}
