import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../audit/audit-log.js';
import {
  type AccessTestApp,
  buildAccessTestApp,
  cheapHashOptions,
  createTestOperator,
  sessionCookieFrom,
  type TestOperator,
} from './access-test-kit.js';
import { base32Decode } from './base32.js';
import { operatorChanger } from './operator-admin.js';
import { totpCode, totpStep } from './totp.js';

describe('operator account administration (/api/operators)', () => {
  let kit: AccessTestApp;
  let admin: TestOperator;
  let secondAdmin: TestOperator;
  const cookies: Record<string, string> = {};

  async function signIn(username: string, password: string, totp: string) {
    kit.advance(30_000);
    return kit.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { username, password, totp },
    });
  }
  const codeFor = (secretBase32: string) =>
    totpCode(base32Decode(secretBase32), totpStep(kit.now().getTime() + 30_000));

  const as = (name: string) => ({ amparo_session: cookies[name] ?? '' });
  const create = (name: string, body: object) =>
    kit.app.inject({
      method: 'POST',
      url: '/api/operators?purpose=enrolment',
      cookies: as(name),
      payload: body,
    });
  const change = (name: string, operatorId: string, body: object) =>
    kit.app.inject({
      method: 'POST',
      url: `/api/operators/${operatorId}/changes?purpose=enrolment`,
      cookies: as(name),
      payload: body,
    });

  async function auditOf(requestId: string) {
    const rows = await kit.database.asAdmin((db) =>
      sql<{ entry: string }>`select entry from audit_entry
        where entry::json->>'requestId' = ${requestId} order by leaf_index`.execute(db),
    );
    return rows.rows.map(
      (row) =>
        JSON.parse(row.entry) as {
          action: string;
          outcome: string;
          fields: string[];
          resource: { type: string; id: string | null };
        },
    );
  }

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    admin = await createTestOperator(kit, { username: 'first.admin', roles: ['administrator'] });
    secondAdmin = await createTestOperator(kit, {
      username: 'second.admin',
      roles: ['administrator'],
    });
    await createTestOperator(kit, { username: 'a.clerk', roles: ['enrolment_clerk'] });
    for (const [name, operator] of [
      ['admin', admin],
      ['secondAdmin', secondAdmin],
    ] as const) {
      const response = await signIn(operator.username, operator.password, operator.totp(1));
      expect(response.statusCode).toBe(200);
      cookies[name] = sessionCookieFrom(response) ?? '';
    }
  });
  afterAll(async () => kit?.close());

  it('creates an account whose first password and authenticator sign in; audited', async () => {
    const created = await create('admin', {
      username: 'ana.perez',
      displayName: 'Ana Pérez',
      roles: ['enrolment_clerk'],
      regions: ['VE-M', 'VE-A'],
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const body = created.json();
    expect(body.operator).toMatchObject({
      username: 'ana.perez',
      roles: ['enrolment_clerk'],
      regions: ['VE-A', 'VE-M'],
      disabledAt: null,
    });
    expect(body.credentials.otpauthUri).toContain(`secret=${body.credentials.totpSecretBase32}`);
    const signedIn = await signIn(
      'ana.perez',
      body.credentials.password,
      codeFor(body.credentials.totpSecretBase32),
    );
    expect(signedIn.statusCode).toBe(200);
    // A handed-over password works for one thing only: choosing a new one.
    const session = { amparo_session: sessionCookieFrom(signedIn) ?? '' };
    const me = await kit.app.inject({ url: '/api/auth/me', cookies: session });
    expect(me.json().passwordChangeRequired).toBe(true);
    const search = () =>
      kit.app.inject({ url: '/api/persons?purpose=enrolment&name=perez', cookies: session });
    const blocked = await search();
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().code).toBe('AMP_PASSWORD_CHANGE_REQUIRED');
    const changed = await kit.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      cookies: session,
      payload: { current: body.credentials.password, next: 'una frase larga que solo Ana conoce' },
    });
    expect(changed.statusCode).toBe(200);
    expect((await search()).statusCode).toBe(200);
    const entries = await auditOf(String(created.headers['x-request-id']));
    expect(entries.at(-1)).toMatchObject({
      action: 'operator.manage',
      outcome: 'allowed',
      resource: { type: 'operator', id: body.operator.id },
    });
    const stored = await kit.database.db
      .selectFrom('operator')
      .select(['password_hash'])
      .where('username', '=', 'ana.perez')
      .executeTakeFirstOrThrow();
    expect(stored.password_hash).not.toContain(body.credentials.password);
  });

  it('refuses bad input, a taken name, a clerk, and an administrator changing themself', async () => {
    const bad = await create('admin', {
      username: 'x',
      displayName: 'X',
      roles: ['emperor'],
      regions: ['VE-Ñ'],
    });
    expect(bad.statusCode).toBe(400);
    const unknownRegion = await create('admin', {
      username: 'new.one',
      displayName: 'New',
      roles: ['auditor'],
      regions: ['VE-Q'],
    });
    expect(unknownRegion.statusCode).toBe(400);
    expect(unknownRegion.json().errors[0].field).toBe('body/regions');
    const taken = await create('admin', {
      username: 'a.clerk',
      displayName: 'Again',
      roles: ['auditor'],
      regions: ['VE-A'],
    });
    expect(taken.statusCode).toBe(409);
    const clerk = await createTestOperator(kit, {
      username: 'b.clerk',
      roles: ['enrolment_clerk'],
    });
    const clerkSession = await signIn('b.clerk', clerk.password, clerk.totp(1));
    cookies.clerk = sessionCookieFrom(clerkSession) ?? '';
    const refused = await kit.app.inject({
      url: '/api/operators?purpose=enrolment',
      cookies: as('clerk'),
    });
    expect(refused.statusCode).toBe(403);
    expect((await auditOf(String(refused.headers['x-request-id']))).at(-1)?.outcome).toBe('denied');
    const self = await change('admin', admin.id, { roles: ['auditor'] });
    expect(self.statusCode).toBe(403);
  });

  it('disables an account at once (its sessions end), enables it, and resets its credentials', async () => {
    const list = await kit.app.inject({
      url: '/api/operators?purpose=enrolment',
      cookies: as('admin'),
    });
    const ana = (list.json().items as Array<{ id: string; username: string }>).find(
      (item) => item.username === 'ana.perez',
    );
    if (!ana) throw new Error('ana.perez is listed');
    const disabled = await change('admin', ana.id, { disabled: true });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json().operator.disabledAt).not.toBeNull();
    const live = await kit.database.db
      .selectFrom('auth_session')
      .select('id')
      .where('operator_id', '=', ana.id)
      .where('revoked_at', 'is', null)
      .execute();
    expect(live).toEqual([]);
    expect(
      (await change('admin', ana.id, { disabled: false })).json().operator.disabledAt,
    ).toBeNull();

    const reset = await change('admin', ana.id, { resetCredentials: true, roles: ['auditor'] });
    expect(reset.statusCode).toBe(200);
    const fresh = reset.json().credentials;
    // The old secret's last step is forgotten: the new secret's first code is no replay.
    const step = await kit.database.db
      .selectFrom('operator')
      .select('totp_last_step')
      .where('id', '=', ana.id)
      .executeTakeFirstOrThrow();
    expect(step.totp_last_step).toBeNull();
    expect(reset.json().operator.roles).toEqual(['auditor']);
    const entries = await auditOf(String(reset.headers['x-request-id']));
    expect(entries.at(-1)?.fields).toEqual(['roles', 'password', 'totp_secret']);
    const signedIn = await signIn('ana.perez', fresh.password, codeFor(fresh.totpSecretBase32));
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json().roles).toEqual(['auditor']);
  });

  it('never leaves the registry without an active administrator', async () => {
    // Two active administrators: one may disable the other, but not themself.
    expect((await change('admin', admin.id, { disabled: true })).statusCode).toBe(403);
    const disabledFirst = await change('secondAdmin', admin.id, { disabled: true });
    expect(disabledFirst.statusCode).toBe(200);
    // Through the API an administrator always acts on someone else, so one always remains;
    // the command line (a system job) is where the last one could go, and is refused.
    const audit = await AuditLog.open({ db: kit.database.db, keys: kit.keys });
    const deps = {
      db: kit.database.db,
      audit,
      masterKey: kit.masterKey,
      hashOptions: cheapHashOptions,
      now: kit.now,
    };
    const system = {
      actor: { kind: 'system' as const, job: 'test' },
      purpose: null,
      requestId: 'cli',
    };
    await expect(
      operatorChanger(deps, {
        ...system,
        operatorId: secondAdmin.id,
        change: { roles: ['auditor'] },
      }),
    ).rejects.toMatchObject({ code: 'AMP_CONFLICT' });
    const reenabled = await operatorChanger(deps, {
      ...system,
      operatorId: admin.id,
      change: { disabled: false },
    });
    expect(reenabled.operator.disabledAt).toBeNull();
    await audit.close();
  });
});
