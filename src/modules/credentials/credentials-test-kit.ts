/**
 * Test helpers for the credentials routes and CLI: persons with everything a card needs, and
 * signed-in operators. Not used by production code.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { newDataKey, wrapDataKey } from '../../platform/crypto/envelope.js';
import type { Database } from '../../platform/db/schema.js';
import type { Role } from '../../shared/access/roles.js';
import {
  type AccessTestApp,
  createTestOperator,
  sessionCookieFrom,
} from '../access/access-test-kit.js';
import { sealVersion } from '../registry/persons/sealed-attributes.js';
import { generateUin } from '../registry/uin/index.js';

export interface CardPerson {
  id: string;
  uin: string;
  fullName: string;
}

/** A registered person with names, sex, date of birth and (optionally) a small sealed photo. */
export async function createCardPerson(
  db: Kysely<Database>,
  masterKey: Buffer,
  options: { region?: string; photo?: Buffer; householdId?: string; phone?: string } = {},
): Promise<CardPerson> {
  const id = randomUUID();
  const uin = generateUin();
  const dataKey = newDataKey();
  const plain = {
    given_names: 'María José',
    first_surname: 'Pérez',
    second_surname: 'Lugo',
    sex: 'F',
    birth_date: '1988-01-02',
    state_code: options.region ?? 'VE-A',
  };
  const sealed = {
    ...(options.photo ? { photo: options.photo.toString('base64') } : {}),
    ...(options.phone ? { phone: options.phone } : {}),
  };
  await db
    .insertInto('person')
    .values({ id, uin, region_code: options.region ?? 'VE-A', merged_into: null })
    .execute();
  await db
    .insertInto('person_key')
    .values({ person_id: id, wrapped_key: wrapDataKey(masterKey, dataKey, id), shredded_at: null })
    .execute();
  await db
    .insertInto('person_version')
    .values({
      person_id: id,
      version: 1,
      attributes: plain,
      sealed_attributes: sealVersion(dataKey, id, 1, sealed),
      reason: 'demo',
      recorded_by: null,
    })
    .execute();
  return { id, uin, fullName: 'María José Pérez Lugo' };
}

/** Creates an operator and signs them in; returns the session cookie. */
export async function signedInOperator(
  kit: AccessTestApp,
  username: string,
  roles: Role[],
  regions: string[] = ['VE-A'],
): Promise<string> {
  const operator = await createTestOperator(kit, { username, roles, regions });
  const response = await kit.app.inject({
    method: 'POST',
    url: '/api/auth/sign-in',
    payload: { username, password: operator.password, totp: operator.totp() },
  });
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.body}`);
  return sessionCookieFrom(response) ?? '';
}
