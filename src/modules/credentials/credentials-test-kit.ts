import type { Kysely } from 'kysely';
import { buildPerson } from '../../../test/factories.js';
import type { Database } from '../../platform/db/schema.js';
import type { Role } from '../../shared/access/roles.js';
import {
  type AccessTestApp,
  createTestOperator,
  sessionCookieFrom,
} from '../access/access-test-kit.js';

export interface CardPerson {
  id: string;
  uin: string;
  fullName: string;
}

/** A registered person with names, sex, date of birth and (optionally) a small sealed photo. */
export async function createCardPerson(
  db: Kysely<Database>,
  masterKey: Buffer,
  options: { region?: string; municipality?: string; photo?: Buffer; phone?: string } = {},
): Promise<CardPerson> {
  const person = await buildPerson(
    { database: { db }, masterKey },
    {
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.municipality === undefined ? {} : { municipality: options.municipality }),
      ...(options.phone === undefined ? {} : { phone: options.phone }),
      sealed: options.photo ? { photo: options.photo.toString('base64') } : {},
    },
  );
  return { id: person.id, uin: person.uin, fullName: 'María José Pérez Lugo' };
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
