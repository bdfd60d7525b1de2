import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Role } from '../../../shared/access/roles.js';
import {
  type AccessTestApp,
  buildAccessTestApp,
  createTestOperator,
  createTestPerson,
  sessionCookieFrom,
  type TestOperator,
} from '../../access/access-test-kit.js';

/** Signed-in operators of the erasure tests, by name. */
export interface ErasureTestCast {
  firstAdmin: string;
  secondAdmin: string;
  otherRegionAdmin: string;
  supervisor: string;
}

export interface ErasureTestKit {
  kit: AccessTestApp;
  cookies: ErasureTestCast;
  operators: Record<keyof ErasureTestCast, TestOperator>;
  post(url: string, cookie: string, payload?: object): Promise<LightMyRequestResponse>;
  get(url: string, cookie: string): Promise<LightMyRequestResponse>;
  /** A person in VE-A with a sealed phone, under a fresh random ID number. */
  person(phone?: string): Promise<{ id: string; uin: string; phone: string }>;
  close(): Promise<void>;
}

const castRoles: Record<keyof ErasureTestCast, { roles: Role[]; regions: string[] }> = {
  firstAdmin: { roles: ['administrator'], regions: ['VE-A'] },
  secondAdmin: { roles: ['administrator'], regions: ['VE-A', 'VE-C'] },
  otherRegionAdmin: { roles: ['administrator'], regions: ['VE-B'] },
  supervisor: { roles: ['registry_supervisor'], regions: ['VE-A'] },
};

let uinCounter = 0;

/**
 * The real application (through the access test kit) with four operators signed in with
 * password and TOTP: two administrators of VE-A, one of VE-B, and a registry supervisor of
 * VE-A who may read persons (administrators read no person data).
 */
export async function buildErasureTestKit(
  options: Parameters<typeof buildAccessTestApp>[0] = {},
): Promise<ErasureTestKit> {
  const kit = await buildAccessTestApp(options);
  const operators = {} as Record<keyof ErasureTestCast, TestOperator>;
  const cookies = {} as ErasureTestCast;
  // Safe: the loop below fills every key of both records before they are used.
  for (const name of Object.keys(castRoles) as Array<keyof ErasureTestCast>) {
    const operator = await createTestOperator(kit, {
      username: `erasure.${name.toLowerCase()}`,
      ...castRoles[name],
    });
    operators[name] = operator;
    cookies[name] = await signIn(kit, operator);
  }
  const inject = kit.app.inject.bind(kit.app);
  return {
    kit,
    cookies,
    operators,
    post: (url, cookie, payload = {}) =>
      inject({ method: 'POST', url, payload, cookies: { amparo_session: cookie } }),
    get: (url, cookie) => inject({ method: 'GET', url, cookies: { amparo_session: cookie } }),
    async person(phone = `+58412${String(1_000_000 + uinCounter).padStart(7, '0')}`) {
      uinCounter += 1;
      // Any 10 digits starting 2-9 satisfy the table's check; the check digit is not needed.
      const uin = String(3_000_000_000 + uinCounter * 7_919);
      const { id } = await createTestPerson(kit, { uin, phone });
      return { id, uin, phone };
    },
    close: () => kit.close(),
  };
}

async function signIn(kit: AccessTestApp, operator: TestOperator): Promise<string> {
  kit.advance(30_000);
  const response = await kit.app.inject({
    method: 'POST',
    url: '/api/auth/sign-in',
    payload: { username: operator.username, password: operator.password, totp: operator.totp() },
  });
  expect(response.statusCode).toBe(200);
  const cookie = sessionCookieFrom(response);
  if (!cookie) throw new Error('no session cookie');
  return cookie;
}
