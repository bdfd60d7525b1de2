import type { Kysely } from 'kysely';
import { open, unwrapDataKey } from '../../platform/crypto/envelope.js';
import type { Database } from '../../platform/db/schema.js';

/**
 * The little the citizen sign-in needs from the registry: whether an ID number names an
 * active person, and that person's phone. It reads the registry tables directly because the
 * registry module has no service for it yet; it should move behind that service.
 */
export interface ActivePerson {
  id: string;
  currentVersion: number;
}

export async function findActivePersonByUin(
  db: Kysely<Database>,
  uin: string,
): Promise<ActivePerson | undefined> {
  const row = await db
    .selectFrom('person')
    .select(['id', 'current_version'])
    .where('uin', '=', uin)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return row ? { id: row.id, currentVersion: row.current_version } : undefined;
}

export async function findActivePersonById(
  db: Kysely<Database>,
  id: string,
): Promise<ActivePerson | undefined> {
  const row = await db
    .selectFrom('person')
    .select(['id', 'current_version'])
    .where('id', '=', id)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return row ? { id: row.id, currentVersion: row.current_version } : undefined;
}

/**
 * The phone in the person's current version, decrypted with their data key; null when
 * there is none or the key was destroyed (erasure).
 */
export async function phoneOnFile(
  db: Kysely<Database>,
  masterKey: Buffer,
  person: ActivePerson,
): Promise<string | null> {
  const row = await db
    .selectFrom('person_version as v')
    .innerJoin('person_key as k', 'k.person_id', 'v.person_id')
    .select(['v.sealed_attributes', 'k.wrapped_key'])
    .where('v.person_id', '=', person.id)
    .where('v.version', '=', person.currentVersion)
    .executeTakeFirst();
  if (!row?.sealed_attributes || !row.wrapped_key) return null;
  const dataKey = unwrapDataKey(masterKey, row.wrapped_key, person.id);
  const plain = open(dataKey, row.sealed_attributes, {
    table: 'person_version',
    column: 'sealed_attributes',
    recordId: `${person.id}:${person.currentVersion}`,
  });
  const attributes: unknown = JSON.parse(plain.toString('utf8'));
  if (typeof attributes !== 'object' || attributes === null || !('phone' in attributes)) {
    return null;
  }
  const phone = attributes.phone;
  return typeof phone === 'string' && phone.length > 0 ? phone : null;
}
