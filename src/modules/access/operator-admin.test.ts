import { randomBytes } from 'node:crypto';
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
import { base32Encode } from './base32.js';
import { operatorChanger } from './operator-admin.js';
import { totpCode, totpStep } from './totp.js';

describe('operator account administration (/api/operators, /api/operator-changes)', () => {
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
  const as = (name: string) => ({ amparo_session: cookies[name] ?? '' });
  const post = (name: string, url: string, body: object = {}) =>
    kit.app.inject({ method: 'POST', url, cookies: as(name), payload: body });
  const create = (name: string, body: object) =>
    post(name, '/api/operators?purpose=enrolment', body);
  const change = (name: string, operatorId: string, body: object) =>
    post(name, `/api/operators/${operatorId}/changes?purpose=enrolment`, body);
  const decideChange = (name: string, changeId: string, verb: 'approve' | 'refuse') =>
    post(name, `/api/operator-changes/${changeId}/${verb}?purpose=enrolment`);

  /** The person's own authenticator: a secret their device made. */
  function authenticator() {
    const secret = randomBytes(20);
    return {
      secretBase32: base32Encode(secret),
      code: () => totpCode(secret, totpStep(kit.now().getTime())),
    };
  }
  async function enrol(
    username: string,
    halves: { first: string; second: string },
    password: string,
    device = authenticator(),
  ) {
    kit.advance(30_000);
    const response = await kit.app.inject({
      method: 'POST',
      url: '/api/auth/enrol',
      payload: {
        username,
        firstCode: halves.first,
        secondCode: halves.second,
        password,
        totpSecret: device.secretBase32,
        totp: device.code(),
      },
    });
    return { response, device };
  }

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
          actor: { id: string };
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

  it('creates an account that holds nothing until a second administrator approves; the person sets their own secrets', async () => {
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
      roles: [],
      regions: [],
      awaitingEnrolment: true,
      pendingChange: { addRoles: ['enrolment_clerk'], addRegions: ['VE-A', 'VE-M'] },
    });
    expect(body).not.toHaveProperty('credentials');
    const first: string = body.enrolmentCode.first;
    expect(body.enrolmentCode.second).toBeNull();
    const changeId: string = body.change.id;

    // The creator cannot approve their own request, nor enrol with their half alone.
    expect((await decideChange('admin', changeId, 'approve')).statusCode).toBe(403);
    const guessed = await enrol('ana.perez', { first, second: first }, 'una frase del creador');
    expect(guessed.response.statusCode).toBe(401);

    const approved = await decideChange('secondAdmin', changeId, 'approve');
    expect(approved.statusCode).toBe(200);
    expect(approved.json().operator).toMatchObject({
      roles: ['enrolment_clerk'],
      regions: ['VE-A', 'VE-M'],
      pendingChange: null,
    });
    expect(approved.json().enrolmentCode.first).toBeNull();
    const second: string = approved.json().enrolmentCode.second;

    // The audit shows who asked and who approved.
    const asked = await auditOf(String(created.headers['x-request-id']));
    expect(asked.at(-1)).toMatchObject({
      action: 'operator.grant_request',
      actor: { id: admin.id },
      fields: ['roles', 'regions', 'password', 'totp_secret'],
    });
    const approval = await auditOf(String(approved.headers['x-request-id']));
    expect(approval.at(-1)).toMatchObject({
      action: 'operator.grant_approve',
      actor: { id: secondAdmin.id },
      resource: { type: 'operator', id: body.operator.id },
    });

    const weak = await enrol('ana.perez', { first, second }, 'short');
    expect(weak.response.statusCode).toBe(400);
    const password = 'una frase larga que solo Ana conoce';
    const enrolled = await enrol('ana.perez', { first, second }, password);
    expect(enrolled.response.statusCode).toBe(200);
    kit.advance(30_000);
    const signedIn = await kit.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { username: 'ana.perez', password, totp: enrolled.device.code() },
    });
    expect(signedIn.statusCode).toBe(200);
    const session = { amparo_session: sessionCookieFrom(signedIn) ?? '' };
    const search = await kit.app.inject({
      url: '/api/persons?purpose=enrolment&name=perez',
      cookies: session,
    });
    expect(search.statusCode).toBe(200);
    // Whatever the two administrators saw is useless now.
    const again = await enrol('ana.perez', { first, second }, 'la frase de quien la creó');
    expect(again.response.statusCode).toBe(401);
  });

  it('the attack: an administrator who creates a second administrator account cannot sign in as it', async () => {
    const created = await create('admin', {
      username: 'shadow.admin',
      displayName: 'Shadow',
      roles: ['administrator', 'registry_supervisor', 'auditor'],
      regions: ['VE-A', 'VE-Z'],
    });
    expect(created.statusCode).toBe(201);
    const { first } = created.json().enrolmentCode;
    // Not approved: the account holds nothing, and the creator holds no credential of it.
    expect(created.json().operator.roles).toEqual([]);
    expect((await decideChange('admin', created.json().change.id, 'approve')).statusCode).toBe(403);
    for (const guess of [first, 'AAAA-AAAA-AAAA-AAAA']) {
      const attempt = await enrol('shadow.admin', { first, second: guess }, 'mi propia frase');
      expect(attempt.response.statusCode).toBe(401);
    }
    const signIn = await kit.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { username: 'shadow.admin', password: first, totp: '000000' },
    });
    expect(signIn.statusCode).toBe(401);
    // The second administrator refuses; the code half is dead.
    expect((await decideChange('secondAdmin', created.json().change.id, 'refuse')).statusCode).toBe(
      200,
    );
    const row = await kit.database.db
      .selectFrom('operator')
      .select(['roles', 'regions'])
      .where('username', '=', 'shadow.admin')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ roles: [], regions: [] });
  });

  it('removes access at once, but added roles and regions wait for a second administrator', async () => {
    const clerk = await createTestOperator(kit, {
      username: 'c.clerk',
      roles: ['enrolment_clerk', 'auditor'],
      regions: ['VE-A', 'VE-M'],
    });
    const changed = await change('admin', clerk.id, {
      roles: ['auditor', 'registry_supervisor'],
      regions: ['VE-A', 'VE-Z'],
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().operator).toMatchObject({ roles: ['auditor'], regions: ['VE-A'] });
    expect(changed.json().change).toMatchObject({
      addRoles: ['registry_supervisor'],
      addRegions: ['VE-Z'],
      newCredentials: false,
      status: 'pending',
    });
    expect(changed.json().enrolmentCode).toBeNull();
    // A second request while one waits is refused.
    expect((await change('admin', clerk.id, { roles: ['program_officer'] })).statusCode).toBe(409);
    const pending = await kit.app.inject({
      url: '/api/operator-changes?purpose=enrolment&status=pending',
      cookies: as('admin'),
    });
    expect(
      pending.json().items.map((item: { operatorUsername: string }) => item.operatorUsername),
    ).toContain('c.clerk');
    const approved = await decideChange('secondAdmin', changed.json().change.id, 'approve');
    expect(approved.json().operator).toMatchObject({
      roles: ['auditor', 'registry_supervisor'],
      regions: ['VE-A', 'VE-Z'],
    });
    expect((await decideChange('secondAdmin', changed.json().change.id, 'refuse')).statusCode).toBe(
      409,
    );
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
    // Refused after the gate allowed it: still audited, as the attempt it was.
    expect((await auditOf(String(self.headers['x-request-id']))).at(-1)).toMatchObject({
      outcome: 'denied',
      resource: { type: 'operator', id: admin.id },
    });
  });

  it('disables an account at once (its sessions end), enables it, and resets its credentials with two halves', async () => {
    const ana = await kit.database.db
      .selectFrom('operator')
      .select('id')
      .where('username', '=', 'ana.perez')
      .executeTakeFirstOrThrow();
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

    const reset = await change('admin', ana.id, { resetCredentials: true });
    expect(reset.statusCode).toBe(200);
    expect(reset.json().change.newCredentials).toBe(true);
    const first: string = reset.json().enrolmentCode.first;
    const entries = await auditOf(String(reset.headers['x-request-id']));
    expect(entries.at(-1)?.fields).toEqual(['password', 'totp_secret']);
    const approved = await decideChange('secondAdmin', reset.json().change.id, 'approve');
    const second: string = approved.json().enrolmentCode.second;
    const enrolled = await enrol('ana.perez', { first, second }, 'otra frase larga solo de Ana');
    expect(enrolled.response.statusCode).toBe(200);
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
    // Nor may the command line grant: that needs two administrators in the console.
    await expect(
      operatorChanger(deps, {
        ...system,
        operatorId: secondAdmin.id,
        change: { roles: ['administrator', 'auditor'] },
      }),
    ).rejects.toMatchObject({ code: 'AMP_FORBIDDEN' });
    const reenabled = await operatorChanger(deps, {
      ...system,
      operatorId: admin.id,
      change: { disabled: false },
    });
    expect(reenabled.operator.disabledAt).toBeNull();
    await audit.close();
  });
});
