import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAccessEntry } from '../../../shared/audit/access-proof-verifier.js';
import {
  type AccessTestApp,
  buildAccessTestApp,
  createTestOperator,
  createTestPerson,
  sessionCookieFrom,
} from '../../access/access-test-kit.js';
import { treeHeadBytes } from '../../audit/merkle/index.js';
import { receivedCode } from '../../notifications/received-text-test-kit.js';
import { generateUin } from '../uin/index.js';

/**
 * The person read path end to end, through real sign-in: purpose-bound, region-scoped,
 * audited, and visible to the person with proofs their browser can check.
 */
describe('reading a person, and the person seeing who looked', () => {
  let kit: AccessTestApp;
  let clerkCookie: string;
  let person: { id: string };
  let stranger: { id: string };
  const personUin = generateUin();

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    person = await createTestPerson(kit, { uin: personUin, phone: '+584121112233' });
    stranger = await createTestPerson(kit, { uin: generateUin(), phone: '+584141112233' });
    await kit.database.asAdmin((admin) =>
      admin
        .updateTable('person')
        .set({ region_code: 'VE-Z' })
        .where('id', '=', stranger.id)
        .execute(),
    );
    const clerk = await createTestOperator(kit, {
      username: 'clerk.a',
      roles: ['enrolment_clerk'],
      regions: ['VE-A'],
    });
    const signIn = await kit.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { username: clerk.username, password: clerk.password, totp: clerk.totp() },
    });
    expect(signIn.statusCode).toBe(200);
    clerkCookie = sessionCookieFrom(signIn) ?? '';
  });
  afterAll(async () => kit?.close());

  const asClerk = (url: string) =>
    kit.app.inject({ url, cookies: { amparo_session: clerkCookie } });

  it('answers 401 without a session', async () => {
    const response = await kit.app.inject({ url: `/api/persons/${person.id}?purpose=enrolment` });
    expect(response.statusCode).toBe(401);
  });

  it('returns the record for an allowed purpose, with only the attributes that purpose may see', async () => {
    const byId = await asClerk(`/api/persons/${person.id}?purpose=enrolment`);
    expect(byId.statusCode).toBe(200);
    expect(byId.json()).toMatchObject({ id: person.id, uin: personUin, status: 'active' });
    expect(byId.json().attributes).toMatchObject({ given_names: 'Prueba', phone: '+584121112233' });
    const byUin = await asClerk(`/api/persons/by-uin/${personUin}?purpose=enrolment`);
    expect(byUin.json().id).toBe(person.id);
  });

  it('refuses a missing purpose and a purpose the role does not have, with 403', async () => {
    for (const query of ['', '?purpose=distribution', '?purpose=audit']) {
      const response = await asClerk(`/api/persons/${person.id}${query}`);
      expect(response.statusCode).toBe(403);
      expect(response.json().code).toBe('AMP_FORBIDDEN');
      expect(response.body).not.toContain(personUin);
    }
  });

  it('answers a record outside the operator regions exactly like one that does not exist', async () => {
    const outside = await asClerk(`/api/persons/${stranger.id}?purpose=enrolment`);
    const missing = await asClerk(
      '/api/persons/00000000-0000-4000-8000-000000000000?purpose=enrolment',
    );
    expect(outside.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    const strip = (body: Record<string, unknown>) => ({ ...body, instance: undefined });
    expect(strip(outside.json())).toEqual(strip(missing.json()));
  });

  it('audits every attempt, allowed or refused', async () => {
    const rows = await kit.database.asAdmin((admin) =>
      admin
        .selectFrom('audit_entry')
        .select(['action', 'entry'])
        .where('action', '=', 'person.read')
        .execute(),
    );
    const outcomes = rows.map((row) => JSON.parse(row.entry).outcome);
    expect(outcomes.filter((outcome) => outcome === 'allowed').length).toBeGreaterThanOrEqual(2);
    expect(outcomes.filter((outcome) => outcome === 'denied').length).toBeGreaterThanOrEqual(5);
  });

  it('lets the person see who looked, each line provably in the signed log', async () => {
    const start = await kit.app.inject({
      method: 'POST',
      url: '/api/citizen/sign-in/start',
      payload: { uin: personUin },
    });
    expect(start.statusCode).toBe(202);
    // The code as the phone shows it (the outbox keeps it sealed).
    const code = await receivedCode(
      { db: kit.database.db, masterKey: kit.masterKey },
      { templateId: 'citizen.sign_in_code' },
    );
    const verify = await kit.app.inject({
      method: 'POST',
      url: '/api/citizen/sign-in/verify',
      payload: { uin: personUin, code },
    });
    expect(verify.statusCode).toBe(200);
    const citizen = { amparo_session: sessionCookieFrom(verify) ?? '' };

    const history = await kit.app.inject({
      url: `/api/persons/${person.id}/access-history?purpose=self`,
      cookies: citizen,
    });
    expect(history.statusCode).toBe(200);
    const body = history.json();
    const clerkRead = body.entries.find(
      (entry: { action: string; outcome: string }) =>
        entry.action === 'person.read' && entry.outcome === 'allowed',
    );
    expect(clerkRead).toMatchObject({
      actorKind: 'operator',
      role: 'enrolment_clerk',
      region: 'VE-A',
      purpose: 'enrolment',
    });

    const keys = (await kit.app.inject({ url: '/api/audit/keys' })).json().keys;
    const publicKeyRaw = Uint8Array.from(Buffer.from(keys[0].publicKey, 'hex'));
    for (const entry of body.entries) {
      const verdict = await verifyAccessEntry({ ...entry, treeHead: body.treeHead, publicKeyRaw });
      expect(verdict).toEqual({ ok: true });
    }
    const forged = {
      ...clerkRead,
      entryText: clerkRead.entryText.replace('"enrolment"', '"appeal"'),
    };
    expect(await verifyAccessEntry({ ...forged, treeHead: body.treeHead, publicKeyRaw })).toEqual({
      ok: false,
      reason: 'not_in_log',
    });
    const otherRoot = { ...body.treeHead, rootHash: '00'.repeat(32) };
    expect(await verifyAccessEntry({ ...clerkRead, treeHead: otherRoot, publicKeyRaw })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });

    const someoneElse = await kit.app.inject({
      url: `/api/persons/${stranger.id}/access-history?purpose=self`,
      cookies: citizen,
    });
    expect(someoneElse.statusCode).toBe(404);
    const othersRecord = await kit.app.inject({
      url: `/api/persons/${stranger.id}?purpose=self`,
      cookies: citizen,
    });
    expect(othersRecord.statusCode).toBe(404);
  });

  it('signs exactly the bytes the audit library signs', async () => {
    const head = {
      treeSize: 1234567,
      rootHash: 'ab'.repeat(32),
      timestampMs: 1_790_000_000_123,
      keyId: '0123456789abcdef',
      signature: '',
    };
    const { treeHeadMessage } = await import('../../../shared/audit/access-proof-verifier.js');
    const root = Uint8Array.from(Buffer.from(head.rootHash, 'hex'));
    expect(Buffer.from(treeHeadMessage(head, root))).toEqual(
      Buffer.from(
        treeHeadBytes({
          size: head.treeSize,
          rootHash: root,
          timestampMs: head.timestampMs,
          keyId: head.keyId,
        }),
      ),
    );
  });

  it('fails to decrypt sealed attributes moved to another person row', async () => {
    await kit.database.asAdmin(async (admin) => {
      await sql`update person_version set sealed_attributes = (select sealed_attributes from person_version where person_id = ${stranger.id}) where person_id = ${person.id}`.execute(
        admin,
      );
    });
    const response = await asClerk(`/api/persons/${person.id}?purpose=enrolment`);
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('+584141112233');
  });
});
