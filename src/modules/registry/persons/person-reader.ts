import type { Kysely } from 'kysely';
import { DecryptionError, unwrapDataKey } from '../../../platform/crypto/envelope.js';
import type { Database } from '../../../platform/db/schema.js';
import type { Actor, Purpose } from '../../../shared/access/actor.js';
import { type AuditRecorder, guardPersonAccess } from '../../access/index.js';
import { discloseAttributes } from '../catalogue/catalogue.js';
import { currentHousehold } from '../households/household-repository.js';
import { findPerson, type PersonLookup, readPersonVersion } from './repository.js';
import { openVersion } from './sealed-attributes.js';

export interface RegistryDependencies {
  db: Kysely<Database>;
  audit: AuditRecorder;
  masterKey: Buffer;
}

/** What a reader sees of a person: only the attributes their purpose allows. */
export interface PersonView {
  id: string;
  uin: string;
  status: 'active' | 'deceased' | 'merged' | 'erased';
  mergedInto: string | null;
  regionCode: string;
  version: number;
  updatedAt: string;
  household: { id: string; relationship: string } | null;
  attributes: Record<string, unknown>;
}

export interface PersonReadProps {
  actor: Actor | null;
  lookup: PersonLookup;
  purpose: Purpose | null;
  requestId: string;
}

/**
 * Reads one person for a stated purpose: authorised per record, counted against the
 * operator's quota, and audited with the attributes disclosed before anything is returned.
 *
 * @example
 *   const view = await personReader(deps, { actor, lookup: { uin }, purpose: 'enrolment', requestId });
 */
export async function personReader(
  deps: RegistryDependencies,
  props: PersonReadProps,
): Promise<PersonView> {
  const person = await findPerson(deps.db, props.lookup);
  const grant = await guardPersonAccess(deps, {
    actor: props.actor,
    action: 'person.read',
    resource: {
      type: 'person',
      id: person?.id ?? ('personId' in props.lookup ? props.lookup.personId : null),
    },
    regionCode: person?.regionCode ?? null,
    personId: person?.id ?? null,
    exists: person !== undefined,
    purpose: props.purpose,
    requestId: props.requestId,
    countsAsPersonRead: true,
  });
  // Safe: the guard refuses (throws) when the person does not exist.
  const found = person as NonNullable<typeof person>;
  const version = await readPersonVersion(deps.db, found.id, found.currentVersion);
  const sealed = openSealed(
    deps.masterKey,
    found.id,
    found.currentVersion,
    version.sealedAttributes,
    version.wrappedKey,
  );
  const attributes = discloseAttributes(
    { ...version.attributes, ...sealed },
    grant.purpose ?? 'self',
  );
  const household = await currentHousehold(deps.db, found.id);
  await grant.record(Object.keys(attributes).sort());
  return {
    id: found.id,
    uin: found.uin,
    status: found.status,
    mergedInto: found.mergedInto,
    regionCode: found.regionCode,
    version: found.currentVersion,
    updatedAt: found.updatedAt.toISOString(),
    household: household
      ? { id: household.householdId, relationship: household.relationship }
      : null,
    attributes,
  };
}

/** Sensitive attributes, or none when the data key was destroyed by an erasure. */
function openSealed(
  masterKey: Buffer,
  personId: string,
  version: number,
  sealed: Buffer | null,
  wrappedKey: Buffer | null,
): Record<string, unknown> {
  if (sealed === null || wrappedKey === null) return {};
  try {
    const dataKey = unwrapDataKey(masterKey, wrappedKey, personId);
    return openVersion(dataKey, personId, version, sealed);
  } catch (error) {
    if (error instanceof DecryptionError)
      throw new Error(
        `Sealed attributes of a person do not open: the data is corrupt or was moved`,
      );
    throw error;
  }
}
