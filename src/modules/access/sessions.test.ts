import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccessTestApp,
  buildAccessTestApp,
  createTestOperator,
  sessionCookieFrom,
  type TestOperator,
} from './access-test-kit.js';
import { accessLimits } from './limits.js';

const minuteMs = 60_000;

describe('sessions and device tokens', () => {
  let kit: AccessTestApp;
  let ana: TestOperator;

  beforeAll(async () => {
    kit = await buildAccessTestApp({ secureCookies: true });
    ana = await createTestOperator(kit, { username: 'ana.sessions' });
  });
  afterAll(async () => {
    await kit?.close();
  });

  /** Signs in on a fresh TOTP step and returns the session cookie value. */
  async function signIn(operator: TestOperator): Promise<string> {
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
  const me = (headers: { cookie?: string; bearer?: string }) =>
    kit.app.inject({
      url: '/api/auth/me',
      cookies: headers.cookie ? { amparo_session: headers.cookie } : {},
      headers: headers.bearer ? { authorization: `Bearer ${headers.bearer}` } : {},
    });
  const post = (url: string, cookie: string | undefined, payload: object = {}, bearer?: string) =>
    kit.app.inject({
      method: 'POST',
      url,
      payload,
      cookies: cookie ? { amparo_session: cookie } : {},
      headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
    });

  it('marks the cookie Secure when configured, and stores only a hash of the token', async () => {
    kit.advance(30_000);
    const response = await kit.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { username: ana.username, password: ana.password, totp: ana.totp() },
    });
    const cookie = response.cookies.find((c) => c.name === 'amparo_session');
    expect(cookie?.secure).toBe(true);
    const rows = await kit.database.asAdmin((admin) =>
      admin.selectFrom('auth_session').selectAll().execute(),
    );
    expect(JSON.stringify(rows)).not.toContain(cookie?.value.slice(4));
    expect(rows.some((row) => row.token_sha256.length === 32)).toBe(true);
  });

  it('ends a console session after 30 idle minutes, and after 12 hours however active', async () => {
    const idle = await signIn(ana);
    kit.advance(accessLimits.session.consoleIdleMs - minuteMs);
    expect((await me({ cookie: idle })).statusCode).toBe(200);
    kit.advance(accessLimits.session.consoleIdleMs + 1);
    expect((await me({ cookie: idle })).statusCode).toBe(401);

    const busy = await signIn(ana);
    const hoursMs = accessLimits.session.consoleAbsoluteMs;
    for (let elapsed = 0; elapsed < hoursMs - 20 * minuteMs; elapsed += 20 * minuteMs) {
      kit.advance(20 * minuteMs);
      expect((await me({ cookie: busy })).statusCode).toBe(200);
    }
    kit.advance(20 * minuteMs);
    const expired = await me({ cookie: busy });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().code).toBe('AMP_UNAUTHENTICATED');
  });

  it('signs out: the session is revoked, the cookie cleared, and the token no longer works', async () => {
    const cookie = await signIn(ana);
    const out = await post('/api/auth/sign-out', cookie);
    expect(out.statusCode).toBe(200);
    expect(out.cookies.find((c) => c.name === 'amparo_session')?.value).toBe('');
    expect((await me({ cookie })).statusCode).toBe(401);
    expect(kit.events.at(-1)).toMatchObject({ type: 'sign_out' });
    const revoked = await kit.database.asAdmin((admin) =>
      admin
        .selectFrom('auth_session')
        .select('revoked_at')
        .where('operator_id', '=', ana.id)
        .where('revoked_at', 'is not', null)
        .execute(),
    );
    expect(revoked.length).toBeGreaterThan(0);
  });

  it('requires JSON on cookie-authenticated writes (CSRF guard)', async () => {
    const cookie = await signIn(ana);
    const formPost = await kit.app.inject({
      method: 'POST',
      url: '/api/auth/sign-out',
      cookies: { amparo_session: cookie },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'a=1',
    });
    expect(formPost.statusCode).toBe(415);
    const bodiless = await kit.app.inject({
      method: 'POST',
      url: '/api/auth/sign-out',
      cookies: { amparo_session: cookie },
    });
    expect(bodiless.statusCode).toBe(415);
    expect((await me({ cookie })).statusCode).toBe(200);
  });

  it('creates, lists and revokes device tokens; a revoked or expired token is refused', async () => {
    const cookie = await signIn(ana);
    const created = await post('/api/auth/tokens', cookie, {
      label: 'Tablet 3, Petare',
      expiresInDays: 2,
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const { id, token } = created.json();
    expect(token).toMatch(/^amp_[A-Za-z0-9_-]{43}$/);
    const viaToken = await me({ bearer: token });
    expect(viaToken.json()).toMatchObject({
      kind: 'operator',
      username: ana.username,
      sessionKind: 'device',
    });

    // A device token cannot mint further tokens.
    expect((await post('/api/auth/tokens', undefined, { label: 'x' }, token)).statusCode).toBe(403);

    const listed = await kit.app.inject({
      url: '/api/auth/tokens',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(listed.json().tokens).toEqual([
      expect.objectContaining({ id, label: 'Tablet 3, Petare', revokedAt: null }),
    ]);
    expect(listed.body).not.toContain(token);

    const second = (await post('/api/auth/tokens', cookie, { label: 'Laptop' })).json();
    expect((await post(`/api/auth/tokens/${second.id}/revoke`, cookie)).statusCode).toBe(200);
    expect((await me({ bearer: second.token })).statusCode).toBe(401);
    expect((await post(`/api/auth/tokens/${second.id}/revoke`, cookie)).statusCode).toBe(404);
    expect((await post('/api/auth/tokens/not-a-uuid/revoke', cookie)).statusCode).toBe(400);

    // Device tokens have no idle limit, only their expiry (2 days here).
    kit.advance(2 * 86_400_000 - minuteMs);
    expect((await me({ bearer: token })).statusCode).toBe(200);
    kit.advance(minuteMs);
    expect((await me({ bearer: token })).statusCode).toBe(401);
  });

  it("cannot revoke another operator's token", async () => {
    const luis = await createTestOperator(kit, { username: 'luis.sessions' });
    const luisCookie = await signIn(luis);
    const luisToken = (await post('/api/auth/tokens', luisCookie, { label: 'Luis phone' })).json();
    const anaCookie = await signIn(ana);
    expect((await post(`/api/auth/tokens/${luisToken.id}/revoke`, anaCookie)).statusCode).toBe(404);
    expect((await me({ bearer: luisToken.token })).statusCode).toBe(200);
  });

  it('refuses a request whose cookie and bearer token disagree', async () => {
    const cookie = await signIn(ana);
    const token = (await post('/api/auth/tokens', cookie, { label: 'Scanner' })).json().token;
    const both = await me({ cookie, bearer: token });
    expect(both.statusCode).toBe(401);
    expect((await me({ cookie, bearer: cookie })).statusCode).toBe(200);
  });

  it('stops every session of an operator disabled by hand within the session cache bound', async () => {
    const maria = await createTestOperator(kit, { username: 'maria.leaves' });
    const cookie = await signIn(maria);
    expect((await me({ cookie })).statusCode).toBe(200);
    // By hand, as another server process would: this process learns it when its cached row
    // (at most limits.access.session.cacheMs old) runs out.
    await kit.database.db
      .updateTable('operator')
      .set({ disabled_at: kit.now() })
      .where('id', '=', maria.id)
      .execute();
    kit.advance(accessLimits.session.cacheMs);
    expect((await me({ cookie })).statusCode).toBe(401);
  });

  it('answers from a revocation or a role change made elsewhere once the cache bound has passed', async () => {
    const luis = await createTestOperator(kit, {
      username: 'luis.cached',
      roles: ['enrolment_clerk'],
    });
    const cookie = await signIn(luis);
    const seen = await me({ cookie });
    expect(seen.statusCode).toBe(200);
    expect(JSON.stringify(seen.json())).toContain('enrolment_clerk');
    await kit.database.asAdmin((admin) =>
      admin
        .updateTable('operator')
        .set({ roles: ['auditor'] })
        .where('id', '=', luis.id)
        .execute(),
    );
    kit.advance(accessLimits.session.cacheMs);
    const changed = await me({ cookie });
    expect(changed.statusCode).toBe(200);
    expect(JSON.stringify(changed.json())).not.toContain('enrolment_clerk');
    await kit.database.db
      .updateTable('auth_session')
      .set({ revoked_at: kit.now() })
      .where('operator_id', '=', luis.id)
      .execute();
    kit.advance(accessLimits.session.cacheMs);
    expect((await me({ cookie })).statusCode).toBe(401);
  });

  it('refuses a session revoked through this process on the very next request', async () => {
    const rosa = await createTestOperator(kit, { username: 'rosa.revoked' });
    const device = await post('/api/auth/tokens', await signIn(rosa), { label: 'kiosk' });
    expect(device.statusCode).toBe(201);
    const { id, token } = device.json() as { id: string; token: string };
    // Read twice, so the second answer may come from the cache.
    expect((await me({ bearer: token })).statusCode).toBe(200);
    expect((await me({ bearer: token })).statusCode).toBe(200);
    const consoleCookie = await signIn(rosa);
    expect((await post(`/api/auth/tokens/${id}/revoke`, consoleCookie)).statusCode).toBe(200);
    expect((await me({ bearer: token })).statusCode).toBe(401);
  });

  it('changes the password: current checked, policy applied, other console sessions revoked', async () => {
    const pablo = await createTestOperator(kit, { username: 'pablo.change' });
    const other = await signIn(pablo);
    const cookie = await signIn(pablo);
    const wrong = await post('/api/auth/password', cookie, {
      current: 'not it at all',
      next: 'tortuga verde bajo la lluvia',
    });
    expect(wrong.statusCode).toBe(403);
    const weak = await post('/api/auth/password', cookie, {
      current: pablo.password,
      next: 'pablo.change2024',
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().errors).toEqual(
      expect.arrayContaining([{ field: 'body/next', reason: 'contains_username' }]),
    );
    const next = 'tortuga verde bajo la lluvia';
    expect(
      (await post('/api/auth/password', cookie, { current: pablo.password, next })).statusCode,
    ).toBe(200);
    expect((await me({ cookie })).statusCode).toBe(200);
    expect((await me({ cookie: other })).statusCode).toBe(401);
    // The new password signs in, also typed with a fullwidth ｌ: NFKC makes it the same password.
    kit.advance(30_000);
    const again = await kit.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: {
        username: pablo.username,
        password: 'tortuga verde bajo la ｌluvia',
        totp: pablo.totp(),
      },
    });
    expect(again.statusCode).toBe(200);
  });

  it('answers 401 to protected routes without a session', async () => {
    expect((await me({})).statusCode).toBe(401);
    expect((await kit.app.inject({ url: '/api/auth/tokens' })).statusCode).toBe(401);
    expect((await me({ bearer: 'amp_not-a-real-token' })).statusCode).toBe(401);
  });

  it('answers the session probe with me: null for a visitor and the identity when signed in', async () => {
    const probe = (cookie?: string) =>
      kit.app.inject({
        url: '/api/auth/session',
        cookies: cookie ? { amparo_session: cookie } : {},
      });
    for (const visitor of [await probe(), await probe('amp_expired-or-made-up')]) {
      expect(visitor.statusCode).toBe(200);
      expect(visitor.json()).toEqual({ me: null });
    }
    const cookie = await signIn(ana);
    const signedIn = await probe(cookie);
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json().me).toEqual((await me({ cookie })).json());
    expect(signedIn.json().me).toMatchObject({ kind: 'operator', username: ana.username });
  });
});
