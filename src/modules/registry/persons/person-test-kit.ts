import { randomInt, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Role } from '../../../shared/access/roles.js';
import {
  type AccessTestApp,
  createTestOperator,
  sessionCookieFrom,
} from '../../access/access-test-kit.js';

/**
 * Test helpers for the registry's write routes: operators signed in through the real
 * sign-in route, requests with their session, and a typical person in VE-A.
 */
export interface SignedIn {
  id: string;
  cookie: string;
}

export async function signedInOperator(
  kit: AccessTestApp,
  username: string,
  roles: Role[],
  regions: string[],
): Promise<SignedIn> {
  const operator = await createTestOperator(kit, { username, roles, regions });
  kit.advance(30_000);
  const response = await kit.app.inject({
    method: 'POST',
    url: '/api/auth/sign-in',
    payload: { username, password: operator.password, totp: operator.totp() },
  });
  expect(response.statusCode).toBe(200);
  const cookie = sessionCookieFrom(response);
  if (cookie === undefined) throw new Error('sign-in set no cookie');
  return { id: operator.id, cookie };
}

export function call(
  kit: AccessTestApp,
  who: SignedIn,
  method: 'GET' | 'POST',
  url: string,
  payload?: object,
) {
  return kit.app.inject({
    method,
    url,
    cookies: { amparo_session: who.cookie },
    ...(payload !== undefined ? { payload } : {}),
  });
}

/** A complete, valid set of attributes for a person in Distrito Capital (VE-A). */
export function personAttributes(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    given_names: 'María José',
    first_surname: 'Pérez',
    second_surname: 'Rondón',
    sex: 'F',
    birth_date: '1984-05-12',
    state_code: 'VE-A',
    municipality_code: 'VE-A-01',
    parish_code: 'VE-A-01-02',
    locality: 'Catia',
    phone: `+58412${String(randomInt(1_000_000, 9_999_999))}`,
    address_line: 'Calle 3, casa 14',
    ...overrides,
  };
}

export function enrolBody(
  attributes: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { clientId: randomUUID(), attributes, ...extra };
}

/** Rows in the tables an enrolment writes, to check nothing was partly written. */
export async function registryCounts(kit: AccessTestApp): Promise<Record<string, number>> {
  const tables = [
    'person',
    'person_version',
    'person_key',
    'person_blind_index',
    'person_search',
    'household',
    'household_membership',
    'duplicate_review',
    'idempotency_record',
  ] as const;
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const row = await kit.database.asAdmin((admin) =>
      admin
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .executeTakeFirstOrThrow(),
    );
    counts[table] = Number(row.count);
  }
  return counts;
}
