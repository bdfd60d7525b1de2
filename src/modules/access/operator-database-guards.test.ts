import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../audit/audit-log.js';
import { checkChangeTrail } from '../audit/change-trail-check.js';
import {
  type AccessTestApp,
  buildAccessTestApp,
  createTestPerson,
  sessionCookieFrom,
} from './access-test-kit.js';
import { base32Decode } from './base32.js';
import { createDemoOperators, type DemoOperatorCredentials } from './demo-operators.js';
import { totpCode, totpStep } from './totp.js';

/**
 * Issue #11, point 3: an attacker holding the application's database role (`amparo_app`: the
 * test database's own connection — an application-role pool on PostgreSQL, `set role
 * amparo_app` on PGlite) tries to grant roles and regions and move a person without the
 * application. The database refuses the grants; the changes it must allow (an account's
 * disabled state, a person's region, a grant that names two real administrators) land in the
 * database-written change trail, which `amparo audit verify` pairs with the MAC-protected audit
 * log and reports when unpaired.
 */
describe('grants and moves made around the application', () => {
  let kit: AccessTestApp;
  let audit: AuditLog;
  let demo: Map<string, DemoOperatorCredentials & { id: string }>;
  const app = () => kit.database.db;
  const refused = (work: Promise<unknown>) => expect(work).rejects.toMatchObject({ code: '42501' });
  const id = (username: string) => demo.get(username)?.id ?? '';
  const unaudited = async () =>
    (await checkChangeTrail(app(), kit.keys)).problems
      .filter((problem) => problem.kind === 'change_unaudited')
      .map((problem) => `${problem.recordId}:${problem.what}`)
      .sort();

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    audit = await AuditLog.open({ db: app(), keys: kit.keys });
    // Seeded as the application role, the way `npm start` does: through the rules.
    const seeded = await createDemoOperators(app(), kit.masterKey, audit);
    const rows = await app().selectFrom('operator').select(['id', 'username']).execute();
    demo = new Map(
      seeded.map((account) => [
        account.username,
        { ...account, id: rows.find((row) => row.username === account.username)?.id ?? '' },
      ]),
    );
  });
  afterAll(async () => {
    await audit?.close();
    await kit?.close();
  });

  it('seeds the demo accounts through the rules, and their trail is matched', async () => {
    const clerk = await app()
      .selectFrom('operator')
      .select(['roles', 'regions'])
      .where('username', '=', 'clerk')
      .executeTakeFirstOrThrow();
    expect(clerk).toEqual({ roles: ['enrolment_clerk'], regions: ['VE-A', 'VE-M', 'VE-V'] });
    expect(await unaudited()).toEqual([]);
  });

  it('refuses roles or regions granted by SQL, and a third administrator inserted', async () => {
    await refused(
      sql`update operator set roles = roles || '{administrator}' where username = 'clerk'`.execute(
        app(),
      ),
    );
    await refused(
      sql`update operator set regions = regions || '{VE-Z}' where username = 'auditor'`.execute(
        app(),
      ),
    );
    for (const roles of [['registry_supervisor'], ['administrator']]) {
      await refused(
        app()
          .insertInto('operator')
          .values({
            id: randomUUID(),
            username: `intruder.${roles[0]}`,
            display_name: 'Intruder',
            password_hash: '$argon2id$v=19$m=19456,t=2,p=1$x',
            totp_secret_sealed: Buffer.alloc(45),
            roles: roles as ['administrator'],
            regions: ['VE-A'],
          })
          .execute(),
      );
    }
  });

  it('refuses a grant inserted approved, asked by a non-administrator, or approved by the asker or a clerk', async () => {
    const change = (requestedBy: string, extra: object = {}) =>
      app()
        .insertInto('operator_change')
        .values({
          id: randomUUID(),
          operator_id: id('clerk'),
          add_roles: ['administrator'],
          add_regions: [],
          new_credentials: false,
          requested_by: requestedBy,
          requested_at: new Date(),
          ...extra,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    await refused(
      change(id('admin'), { status: 'approved', decided_by: id('admin2'), decided_at: new Date() }),
    );
    await refused(change(id('supervisor')));
    const pending = await change(id('admin'));
    const approve = (by: string) =>
      app()
        .updateTable('operator_change')
        .set({ status: 'approved', decided_by: by, decided_at: new Date() })
        .where('id', '=', pending.id)
        .execute();
    await expect(approve(id('admin'))).rejects.toMatchObject({ code: '23514' });
    await refused(approve(id('supervisor')));
    await app()
      .updateTable('operator_change')
      .set({ status: 'refused', decided_by: id('admin'), decided_at: new Date() })
      .where('id', '=', pending.id)
      .execute();
  });

  it('reports what the database must allow when it was done without the application', async () => {
    const before = await unaudited();
    // A grant naming two real administrators, made entirely in SQL.
    await app()
      .transaction()
      .execute(async (trx) => {
        const changeId = randomUUID();
        await trx
          .insertInto('operator_change')
          .values({
            id: changeId,
            operator_id: id('auditor'),
            add_roles: ['registry_supervisor'],
            add_regions: [],
            new_credentials: false,
            requested_by: id('admin'),
            requested_at: new Date(),
          })
          .execute();
        await trx
          .updateTable('operator_change')
          .set({ status: 'approved', decided_by: id('admin2'), decided_at: new Date() })
          .where('id', '=', changeId)
          .execute();
        await sql`update operator set roles = roles || '{registry_supervisor}' where id = ${id('auditor')}`.execute(
          trx,
        );
      });
    // A person moved to another region, and an account disabled, by SQL.
    const person = await createTestPerson(kit, { uin: '4123456789', phone: null });
    await app()
      .updateTable('person')
      .set({ region_code: 'VE-Z' })
      .where('id', '=', person.id)
      .execute();
    await app()
      .updateTable('operator')
      .set({ disabled_at: new Date() })
      .where('id', '=', id('supervisor'))
      .execute();
    const after = await unaudited();
    expect(after.filter((problem) => !before.includes(problem))).toEqual(
      [
        `${id('auditor')}:roles`,
        `${person.id}:region_code`,
        `${id('supervisor')}:disabled_at`,
      ].sort(),
    );
  });

  it('pairs a change made through the application, and catches one that borrows its request id', async () => {
    const signIn = async (account: DemoOperatorCredentials) => {
      kit.advance(30_000);
      const code = totpCode(base32Decode(account.totpSecretBase32), totpStep(kit.now().getTime()));
      const response = await kit.app.inject({
        method: 'POST',
        url: '/api/auth/sign-in',
        payload: { username: account.username, password: account.password, totp: code },
      });
      expect(response.statusCode).toBe(200);
      return { amparo_session: sessionCookieFrom(response) ?? '' };
    };
    const [first, second] = [demo.get('admin'), demo.get('admin2')];
    if (!first || !second) throw new Error('demo administrators are seeded');
    const before = await unaudited();
    const asked = await kit.app.inject({
      method: 'POST',
      url: `/api/operators/${id('clerk')}/changes?purpose=enrolment`,
      cookies: await signIn(first),
      payload: { regions: ['VE-A', 'VE-M', 'VE-V', 'VE-Z'] },
    });
    expect(asked.statusCode).toBe(200);
    const approved = await kit.app.inject({
      method: 'POST',
      url: `/api/operator-changes/${asked.json().change.id}/approve?purpose=enrolment`,
      cookies: await signIn(second),
      payload: {},
    });
    expect(approved.statusCode).toBe(200);
    expect(await unaudited()).toEqual(before);
    // The attacker reuses that request id for a change of their own: one entry, two changes.
    const requestId = String(approved.headers['x-request-id']);
    await app()
      .transaction()
      .execute(async (trx) => {
        await sql`select set_config('amparo.request_id', ${requestId}, true)`.execute(trx);
        await trx
          .updateTable('operator')
          .set({ regions: ['VE-A'] })
          .where('id', '=', id('clerk'))
          .execute();
      });
    expect((await unaudited()).filter((problem) => !before.includes(problem))).toEqual([
      `${id('clerk')}:regions`,
    ]);
  });
});
