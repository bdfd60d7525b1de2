import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHousehold } from '../../../../test/factories.js';
import { createTestKeyStore } from '../../../../test/keys.js';
import { appRole } from '../../../platform/db/database.js';
import { createTestPerson } from '../../access/access-test-kit.js';
import { AuditLog } from '../../audit/audit-log.js';
import { RegistryEvents } from '../registry-events.js';
import { generateUin } from '../uin/index.js';
import { buildErasureTestKit, type ErasureTestKit } from './erasure-test-kit.js';
import { erasureRequester } from './service.js';

describe('erasure refusals, withdrawal, atomicity and privileges', () => {
  let t: ErasureTestKit;
  beforeAll(async () => {
    t = await buildErasureTestKit();
  });
  afterAll(async () => t?.close());

  const body = { reasonCode: 'person_request', reference: 'EXP-77/2026' };
  const requestErasure = (personId: string, cookie: string, query = '?purpose=appeal') =>
    t.post(`/api/persons/${personId}/erasure-requests${query}`, cookie, body);
  const decide = (id: string, verb: 'approve' | 'withdraw', cookie: string) =>
    t.post(`/api/erasure-requests/${id}/${verb}`, cookie);
  const state = async (personId: string) => {
    const row = await t.kit.database.db
      .selectFrom('person')
      .innerJoin('person_key', 'person_key.person_id', 'person.id')
      .innerJoin('person_blind_index', 'person_blind_index.person_id', 'person.id')
      .select(['person.status', 'person_key.wrapped_key', 'person_blind_index.digest'])
      .where('person.id', '=', personId)
      .executeTakeFirstOrThrow();
    return { status: row.status, keyed: row.wrapped_key !== null, indexed: row.digest !== null };
  };
  const untouched = { status: 'active', keyed: true, indexed: true };

  it('refuses other roles (403), other regions like a missing record (404), and no sign-in (401)', async () => {
    const person = await t.person();
    const bySupervisor = await requestErasure(person.id, t.cookies.supervisor);
    expect(bySupervisor.statusCode).toBe(403);
    expect(bySupervisor.json().code).toBe('AMP_FORBIDDEN');
    const elsewhere = await requestErasure(person.id, t.cookies.otherRegionAdmin);
    const missing = await requestErasure(randomUUID(), t.cookies.otherRegionAdmin);
    expect(elsewhere.statusCode).toBe(404);
    expect(elsewhere.json()).toEqual(missing.json());
    const anonymous = await t.kit.app.inject({
      method: 'POST',
      url: `/api/persons/${person.id}/erasure-requests?purpose=appeal`,
      payload: body,
    });
    expect(anonymous.statusCode).toBe(401);

    const request = (await requestErasure(person.id, t.cookies.firstAdmin)).json();
    expect((await decide(request.id, 'approve', t.cookies.supervisor)).statusCode).toBe(403);
    expect((await decide(request.id, 'approve', t.cookies.otherRegionAdmin)).statusCode).toBe(404);
    expect((await decide(request.id, 'withdraw', t.cookies.otherRegionAdmin)).statusCode).toBe(404);
    expect((await decide(randomUUID(), 'approve', t.cookies.secondAdmin)).statusCode).toBe(404);
    expect(await state(person.id)).toEqual(untouched);
  });

  it('takes the ID number from the order instead of a record id; refuses a bad or unknown one', async () => {
    const uin = generateUin();
    const { id } = await createTestPerson(t.kit, { uin, phone: '+584121112233' });
    const byUin = (number: string, cookie: string) =>
      t.post('/api/erasure-requests?purpose=appeal', cookie, { uin: number, ...body });
    const created = await byUin(uin, t.cookies.firstAdmin);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ personId: id, uin, status: 'pending' });
    const typo = `${uin.slice(0, 9)}${(Number(uin[9]) + 1) % 10}`;
    const badDigit = await byUin(typo, t.cookies.firstAdmin);
    expect(badDigit.statusCode).toBe(400);
    expect(badDigit.json().errors).toEqual([
      { field: 'body/uin', reason: 'is not a valid ID number (check digit)' },
    ]);
    let unknown = generateUin();
    while (unknown === uin) unknown = generateUin();
    const missing = await byUin(unknown, t.cookies.firstAdmin);
    expect(missing.statusCode).toBe(404);
    const refused = await t.kit.database.asAdmin((admin) =>
      sql<{ outcome: string }>`select entry::json->>'outcome' as outcome from audit_entry
        where entry::json->>'requestId' = ${String(missing.headers['x-request-id'])}`.execute(
        admin,
      ),
    );
    expect(refused.rows.map((row) => row.outcome)).toEqual(['denied']);
    // Another region's administrator cannot tell an existing number from a missing one.
    expect((await byUin(uin, t.cookies.otherRegionAdmin)).json()).toEqual(missing.json());
  });

  it('refuses a system job, which the policy otherwise lets do anything', async () => {
    const person = await t.person();
    const db = t.kit.database.db;
    const audit = await AuditLog.open({
      db,
      keys: { ...createTestKeyStore(), masterKey: t.kit.masterKey },
    });
    try {
      const attempt = erasureRequester(
        { db, audit, events: new RegistryEvents() },
        {
          actor: { kind: 'system', job: 'import' },
          personId: person.id,
          reasonCode: 'court_order',
          reference: null,
          purpose: 'appeal',
          requestId: randomUUID(),
        },
      );
      await expect(attempt).rejects.toMatchObject({ code: 'AMP_FORBIDDEN' });
    } finally {
      await audit.close();
    }
    const requests = await db
      .selectFrom('erasure_request')
      .select('id')
      .where('person_id', '=', person.id)
      .execute();
    expect(requests).toEqual([]);
  });

  it('needs the purpose appeal, a listed reason and a reference that cannot hold a name', async () => {
    const person = await t.person();
    expect((await requestErasure(person.id, t.cookies.firstAdmin, '')).statusCode).toBe(403);
    const wrongPurpose = await requestErasure(
      person.id,
      t.cookies.firstAdmin,
      '?purpose=enrolment',
    );
    expect(wrongPurpose.statusCode).toBe(403);
    const url = `/api/persons/${person.id}/erasure-requests?purpose=appeal`;
    for (const payload of [
      { reasonCode: 'because' },
      { reasonCode: 'court_order', reference: 'Maria Perez' },
      { reasonCode: 'court_order', reference: 'MariaPerez' },
      { reasonCode: 'court_order', reference: `A${'1'.repeat(40)}` },
      { reasonCode: 'court_order', note: 'free text' },
    ]) {
      const response = await t.post(url, t.cookies.firstAdmin, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
    }
    expect(await state(person.id)).toEqual(untouched);
  });

  it('lets the requester or another administrator withdraw; a withdrawn request cannot be approved', async () => {
    const person = await t.person();
    const first = (await requestErasure(person.id, t.cookies.firstAdmin)).json();
    const withdrawn = await decide(first.id, 'withdraw', t.cookies.secondAdmin);
    expect(withdrawn.statusCode).toBe(200);
    expect(withdrawn.json()).toMatchObject({
      status: 'withdrawn',
      withdrawnBy: t.operators.secondAdmin.id,
    });
    expect((await decide(first.id, 'approve', t.cookies.secondAdmin)).statusCode).toBe(409);
    expect((await decide(first.id, 'withdraw', t.cookies.firstAdmin)).statusCode).toBe(409);

    const second = (await requestErasure(person.id, t.cookies.firstAdmin)).json();
    const own = await decide(second.id, 'withdraw', t.cookies.firstAdmin);
    expect(own.json()).toMatchObject({
      status: 'withdrawn',
      withdrawnBy: t.operators.firstAdmin.id,
    });
    const withdrawals = await t.kit.database.db
      .selectFrom('audit_entry')
      .select(['actor_id', 'entry'])
      .where('person_id', '=', person.id)
      .where('action', '=', 'person.erasure_withdraw')
      .orderBy('leaf_index')
      .execute();
    expect(withdrawals.map((row) => [row.actor_id, JSON.parse(row.entry).outcome])).toEqual([
      [t.operators.secondAdmin.id, 'allowed'],
      [t.operators.firstAdmin.id, 'denied'],
      [t.operators.firstAdmin.id, 'allowed'],
    ]);
    expect(await state(person.id)).toEqual(untouched);
  });

  it('lists pending requests of the administrator’s regions, with no attributes', async () => {
    const person = await t.person();
    const request = (await requestErasure(person.id, t.cookies.firstAdmin)).json();
    const listed = await t.get('/api/erasure-requests?status=pending', t.cookies.secondAdmin);
    expect(listed.statusCode).toBe(200);
    const item = listed.json().items.find((entry: { id: string }) => entry.id === request.id);
    expect(item).toEqual(request);
    expect(Object.keys(item).sort()).toEqual(
      [
        'id',
        'personId',
        'uin',
        'regionCode',
        'reasonCode',
        'reference',
        'status',
        'requestedBy',
        'requestedAt',
        'approvedBy',
        'approvedAt',
        'executedAt',
        'withdrawnBy',
        'withdrawnAt',
      ].sort(),
    );
    const elsewhere = await t.get('/api/erasure-requests', t.cookies.otherRegionAdmin);
    expect(elsewhere.statusCode).toBe(200);
    expect(elsewhere.json().items).toEqual([]);
    expect((await t.get('/api/erasure-requests', t.cookies.supervisor)).statusCode).toBe(403);
    await decide(request.id, 'withdraw', t.cookies.firstAdmin);
    const after = await t.get('/api/erasure-requests', t.cookies.secondAdmin);
    expect(after.json().items.map((entry: { id: string }) => entry.id)).not.toContain(request.id);
  });

  it('is all or nothing: a failure at the last write of the approval leaves everything as it was', async () => {
    const person = await t.person();
    const request = (await requestErasure(person.id, t.cookies.firstAdmin)).json();
    // The execution's audit entry is the last thing written; make exactly that insert fail.
    await t.kit.database.asAdmin(async (admin) => {
      await sql`create function erasure_test_fail() returns trigger language plpgsql as $$
        begin raise exception 'injected failure'; end $$`.execute(admin);
      await sql`create trigger erasure_test_fail after insert on audit_entry for each row
        when (new.action = 'person.erasure_execute') execute function erasure_test_fail()`.execute(
        admin,
      );
    });
    const failed = await decide(request.id, 'approve', t.cookies.secondAdmin);
    await t.kit.database.asAdmin(async (admin) => {
      await sql`drop trigger erasure_test_fail on audit_entry`.execute(admin);
      await sql`drop function erasure_test_fail()`.execute(admin);
    });
    expect(failed.statusCode).toBe(500);
    expect(await state(person.id)).toEqual(untouched);
    const stored = await t.kit.database.db
      .selectFrom('erasure_request')
      .select(['status', 'approved_by'])
      .where('id', '=', request.id)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ status: 'pending', approved_by: null });
    const approvals = await t.kit.database.db
      .selectFrom('audit_entry')
      .select(['action', 'entry'])
      .where('person_id', '=', person.id)
      .where('action', 'in', ['person.erasure_approve', 'person.erasure_execute'])
      .execute();
    // No approval or execution is on record; the failed attempt is, as denied with the
    // failure's code (docs/ACCESS.md, "Audited grants").
    expect(
      approvals.map((row) => {
        const entry = JSON.parse(row.entry) as { outcome: string; reasonCode: string | null };
        return [row.action, entry.outcome, entry.reasonCode];
      }),
    ).toEqual([['person.erasure_approve', 'denied', 'AMP_INTERNAL']]);
    // Nothing was left half-done, so the same approval can simply be made again.
    expect((await decide(request.id, 'approve', t.cookies.secondAdmin)).statusCode).toBe(200);
    expect(await state(person.id)).toEqual({ status: 'erased', keyed: false, indexed: false });
  });

  it('shreds records merged into the person and closes their household membership', async () => {
    const survivor = await t.person();
    const duplicate = await t.person();
    const db = t.kit.database.db;
    await t.kit.database.asAdmin((admin) =>
      admin
        .updateTable('person')
        .set({ status: 'merged', merged_into: survivor.id })
        .where('id', '=', duplicate.id)
        .execute(),
    );
    await buildHousehold(
      { database: t.kit.database, masterKey: t.kit.masterKey },
      { members: [{ person: survivor, relationship: 'head' }] },
    );
    const onDuplicate = await requestErasure(duplicate.id, t.cookies.firstAdmin);
    expect(onDuplicate.statusCode).toBe(409);
    const request = (await requestErasure(survivor.id, t.cookies.firstAdmin)).json();
    expect((await decide(request.id, 'approve', t.cookies.secondAdmin)).statusCode).toBe(200);
    expect(await state(duplicate.id)).toEqual({ status: 'merged', keyed: false, indexed: false });
    const membership = await db
      .selectFrom('household_membership')
      .select('valid_to')
      .where('person_id', '=', survivor.id)
      .executeTakeFirstOrThrow();
    expect(membership.valid_to).not.toBeNull();
  });

  it('gives the application role no DELETE, and only the state columns to UPDATE', async () => {
    const privilege = async (table: string, kind: string) =>
      (
        await sql<{ granted: boolean }>`
          select has_table_privilege(${appRole}, ${table}, ${kind}) as granted`.execute(
          t.kit.database.db,
        )
      ).rows[0]?.granted;
    for (const table of ['erasure_request', 'person', 'person_key', 'person_blind_index']) {
      expect(await privilege(table, 'DELETE'), table).toBe(false);
      expect(await privilege(table, 'TRUNCATE'), table).toBe(false);
    }
    await expect(sql`delete from erasure_request`.execute(t.kit.database.db)).rejects.toThrow(
      /permission denied/,
    );
    await expect(
      sql`update erasure_request set reason_code = 'court_order'`.execute(t.kit.database.db),
    ).rejects.toThrow(/permission denied/);
    // Two different administrators, held by the database too, not only by the service.
    const person = await t.person();
    const request = (await requestErasure(person.id, t.cookies.firstAdmin)).json();
    await expect(
      sql`update erasure_request set status = 'executed', approved_by = requested_by,
            approved_at = now(), executed_at = now() where id = ${request.id}`.execute(
        t.kit.database.db,
      ),
    ).rejects.toThrow(/check constraint|different active administrator/);
  });
});
