import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blindIndex,
  DecryptionError,
  open,
  unwrapDataKey,
} from '../../../platform/crypto/envelope.js';
import { enqueueText, outboxWorker, personNotifier } from '../../notifications/index.js';
import { recordingProvider } from '../../notifications/outbox-test-kit.js';
import { listAttributes } from '../catalogue/catalogue.js';
import { buildErasureTestKit, type ErasureTestKit } from './erasure-test-kit.js';

const sealedNames = listAttributes('person')
  .filter((attribute) => attribute.sealed)
  .map((attribute) => attribute.name);
const allNames = listAttributes('person').map((attribute) => attribute.name);

describe('lawful erasure by two administrators', () => {
  let t: ErasureTestKit;
  beforeAll(async () => {
    t = await buildErasureTestKit();
  });
  afterAll(async () => t?.close());

  const requestErasure = (personId: string, cookie: string, query = '?purpose=appeal') =>
    t.post(`/api/persons/${personId}/erasure-requests${query}`, cookie, {
      reasonCode: 'court_order',
      reference: 'TSJ-2026-00123',
    });
  const approve = (id: string, cookie: string) =>
    t.post(`/api/erasure-requests/${id}/approve`, cookie);
  const readAsSupervisor = (personId: string) =>
    t.get(`/api/persons/${personId}?purpose=appeal`, t.cookies.supervisor);

  /** What makes a person's sealed data readable or findable, straight from the tables. */
  async function keyMaterial(personId: string) {
    const db = t.kit.database.db;
    const person = await db
      .selectFrom('person')
      .select('status')
      .where('id', '=', personId)
      .executeTakeFirstOrThrow();
    const key = await db
      .selectFrom('person_key')
      .selectAll()
      .where('person_id', '=', personId)
      .executeTakeFirstOrThrow();
    const index = await db
      .selectFrom('person_blind_index')
      .select('digest')
      .where('person_id', '=', personId)
      .executeTakeFirstOrThrow();
    return { status: person.status, key, digest: index.digest };
  }

  async function auditOf(personId: string) {
    const rows = await t.kit.database.db
      .selectFrom('audit_entry')
      .select('entry')
      .where('person_id', '=', personId)
      .orderBy('leaf_index')
      .execute();
    return rows.map(
      (row) =>
        JSON.parse(row.entry) as {
          action: string;
          outcome: string;
          actor: { id: string; role: string | null };
          fields: string[];
          reasonCode: string | null;
        },
    );
  }

  it('lets one administrator request but not approve: nothing changes', async () => {
    const person = await t.person();
    const before = await readAsSupervisor(person.id);
    expect(before.json().attributes.phone).toBe(person.phone);

    const requested = await requestErasure(person.id, t.cookies.firstAdmin);
    expect(requested.statusCode).toBe(201);
    const request = requested.json();
    expect(request).toMatchObject({
      personId: person.id,
      uin: person.uin,
      regionCode: 'VE-A',
      reasonCode: 'court_order',
      reference: 'TSJ-2026-00123',
      status: 'pending',
      requestedBy: { id: t.operators.firstAdmin.id, username: t.operators.firstAdmin.username },
      approvedBy: null,
      executedAt: null,
    });
    expect(request).not.toHaveProperty('attributes');

    const selfApproval = await approve(request.id, t.cookies.firstAdmin);
    expect(selfApproval.statusCode).toBe(403);
    expect(selfApproval.headers['content-type']).toContain('application/problem+json');
    expect(selfApproval.json()).toMatchObject({ code: 'AMP_FORBIDDEN' });
    expect(selfApproval.json().detail).toMatch(/different administrator/);

    const after = await keyMaterial(person.id);
    expect(after.status).toBe('active');
    expect(after.key.wrapped_key).not.toBeNull();
    expect(after.key.shredded_at).toBeNull();
    expect(after.digest).not.toBeNull();
    expect((await readAsSupervisor(person.id)).json().attributes.phone).toBe(person.phone);
    const refusal = (await auditOf(person.id)).find(
      (entry) => entry.action === 'person.erasure_approve',
    );
    expect(refusal).toMatchObject({ outcome: 'denied', reasonCode: 'AMP_FORBIDDEN' });
  });

  it('erases with two different administrators: key destroyed, index blank, sealed data gone', async () => {
    const person = await t.person();
    const { wrapped_key: wrappedBefore } = (await keyMaterial(person.id)).key;
    const request = (await requestErasure(person.id, t.cookies.firstAdmin)).json();
    const approved = await approve(request.id, t.cookies.secondAdmin);
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({
      status: 'executed',
      approvedBy: t.operators.secondAdmin.id,
    });
    expect(approved.json().executedAt).toBe(approved.json().approvedAt);

    const after = await keyMaterial(person.id);
    expect(after.status).toBe('erased');
    expect(after.key.wrapped_key).toBeNull();
    expect(after.key.shredded_at).not.toBeNull();
    expect(after.digest).toBeNull();
    const phoneDigest = blindIndex(t.kit.masterKey, 'phone', person.phone);
    const matches = await t.kit.database.db
      .selectFrom('person_blind_index')
      .select('person_id')
      .where('kind', '=', 'phone')
      .where('digest', '=', phoneDigest)
      .execute();
    expect(matches).toEqual([]);
    expect(wrappedBefore).not.toBeNull();

    const read = await readAsSupervisor(person.id);
    expect(read.statusCode).toBe(200);
    expect(read.json().status).toBe('erased');
    for (const name of sealedNames) expect(read.json().attributes).not.toHaveProperty(name);
  });

  /** A second version, a search row, two queued SMS (one sent) and an active card. */
  async function describePerson(personId: string) {
    await t.kit.database.asAdmin(async (admin) => {
      await sql`insert into person_version (person_id, version, attributes, reason)
        values (${personId}, 2, ${JSON.stringify({ given_names: 'Prueba', first_surname: 'Ejemplo', date_of_birth: '1990-04-02' })}::jsonb, 'correction')`.execute(
        admin,
      );
      await sql`insert into person_search (person_id, region_code, name_keys, name_tokens)
        values (${personId}, 'VE-A', array['t:prueba', 't:ejemplo'], array['prueba', 'ejemplo'])
        on conflict (person_id) do update set name_keys = excluded.name_keys, name_tokens = excluded.name_tokens`.execute(
        admin,
      );
      // Sent already (kept, phone blanked), as an old row with no phone hash.
      await sql`insert into notification_outbox (id, channel, recipient_sealed, template_id, parameters, created_at, sent_at, person_id, status)
        values (gen_random_uuid(), 'sms', '\\x00', 'citizen.sign_in_code', '{}', now(), now(), ${personId}, 'sent')`.execute(
        admin,
      );
    });
    // Queued the way every message is (sealed phone and its keyed hash): dropped by erasure.
    await enqueueText(t.kit.database.db, t.kit.masterKey, {
      personId,
      phone: '+584125559001',
      templateId: 'registry.enrolled',
      parameters: {},
      queuedAt: new Date(),
    });
    // A redemption's receipt text kept for the worker (notifyLater), not yet resolved.
    const notifier = personNotifier({
      masterKey: t.kit.masterKey,
      contacts: { contactsIn: async () => new Map() },
    });
    await t.kit.database.db.transaction().execute((trx) =>
      notifier.notifyLater(trx, personId, {
        event: 'redemption_receipt',
        place: 'Escuela Bolívar',
        date: '2026-12-05',
        reference: 'R-0A1B2C3D',
      }),
    );
    await t.kit.database.asAdmin(async (admin) => {
      await sql`insert into credential (id, person_id, person_version, kid, issued_at, expires_at)
        values (decode(md5(${personId}), 'hex'), ${personId}, 2, '00112233445566aa', now(), now() + interval '1 year')`.execute(
        admin,
      );
    });
  }

  it('also removes what describes the person: clear attributes, search keys, SMS recipients; revokes the card', async () => {
    const person = await t.person();
    await describePerson(person.id);
    const keptNotices = () =>
      t.kit.database.db
        .selectFrom('notification_deferred')
        .select('id')
        .where('person_id', '=', person.id)
        .execute();
    expect(await keptNotices()).toHaveLength(1);
    const request = (await requestErasure(person.id, t.cookies.firstAdmin)).json();
    // The application role cannot run the removal for a request that was not approved.
    await expect(
      sql`select erase_person_records(${request.id}::uuid)`.execute(t.kit.database.db),
    ).rejects.toThrow(/not executed/);
    expect((await approve(request.id, t.cookies.secondAdmin)).statusCode).toBe(200);

    const state = await t.kit.database.asAdmin(async (admin) => ({
      versions: await sql<{ attributes: object }>`select attributes from person_version
        where person_id = ${person.id} order by version`.execute(admin),
      search: await sql<{
        keys: string[];
        tokens: string[];
      }>`select name_keys as keys, name_tokens as tokens
        from person_search where person_id = ${person.id}`.execute(admin),
      outbox: await sql<{
        recipient: Buffer | null;
        digest: Buffer | null;
        status: string;
        cancelled: boolean;
        sent: boolean;
      }>`
        select recipient_sealed as recipient, recipient_digest as digest, status,
          cancelled_at is not null as cancelled, sent_at is not null as sent
        from notification_outbox where person_id = ${person.id} order by sent_at nulls first`.execute(
        admin,
      ),
      cards: await sql<{
        status: string;
        reason: string | null;
      }>`select status, revocation_reason as reason
        from credential where person_id = ${person.id}`.execute(admin),
    }));
    expect(state.versions.rows.map((row) => row.attributes)).toEqual([{}, {}]);
    expect(state.search.rows).toEqual([{ keys: [], tokens: [] }]);
    // The queued message is dropped (cancelled: never sent, phone and its hash gone); the
    // sent one stays in the person's history without the phone.
    expect(state.outbox.rows).toEqual([
      { recipient: null, digest: null, status: 'cancelled', cancelled: true, sent: false },
      { recipient: null, digest: null, status: 'sent', cancelled: false, sent: true },
    ]);
    const worker = outboxWorker({
      db: t.kit.database.db,
      masterKey: t.kit.masterKey,
      provider: recordingProvider(),
    });
    await worker.drain();
    const stillQueued = await t.kit.database.db
      .selectFrom('notification_outbox')
      .select('status')
      .where('person_id', '=', person.id)
      .where('status', 'in', ['queued', 'sending', 'sent', 'delivered'])
      .execute();
    expect(stillQueued.map((row) => row.status)).toEqual(['sent']);
    expect(state.cards.rows).toEqual([{ status: 'revoked', reason: 'deceased' }]);
    // The notice kept for the worker is gone with the rest: it named the person and its values.
    expect(await keptNotices()).toEqual([]);
    const read = await readAsSupervisor(person.id);
    expect(read.json().attributes).toEqual({});
    // History rows stay closed to the application role outside the erasure function.
    await expect(
      sql`update person_version set attributes = '{}'::jsonb where person_id = ${person.id}`.execute(
        t.kit.database.db,
      ),
    ).rejects.toThrow(/permission denied/);
  });

  it('leaves nothing the master key can open: the sealed bytes have no key left', async () => {
    const person = await t.person();
    const db = t.kit.database.db;
    const sealedOf = async () =>
      (
        await db
          .selectFrom('person_version')
          .select('sealed_attributes')
          .where('person_id', '=', person.id)
          .executeTakeFirstOrThrow()
      ).sealed_attributes;
    const sealed = await sealedOf();
    if (sealed === null) throw new Error('test person has sealed attributes');
    const context = {
      table: 'person_version',
      column: 'sealed_attributes',
      recordId: `${person.id}:1`,
    };
    const keyBefore = (await keyMaterial(person.id)).key.wrapped_key;
    if (keyBefore === null) throw new Error('test person has a key');
    const opened = open(
      unwrapDataKey(t.kit.masterKey, Buffer.from(keyBefore), person.id),
      Buffer.from(sealed),
      context,
    );
    expect(JSON.parse(opened.toString('utf8')).phone).toBe(person.phone);

    const request = (await requestErasure(person.id, t.cookies.firstAdmin)).json();
    expect((await approve(request.id, t.cookies.secondAdmin)).statusCode).toBe(200);

    // What remains of the person's key: nothing to unwrap.
    const keyAfter = (await keyMaterial(person.id)).key.wrapped_key;
    expect(keyAfter).toBeNull();
    // The sealed attributes remain (history is append-only) but no key the application holds
    // opens them: not the master key as a data key, not the master key as a wrapping key.
    const remaining = Buffer.from((await sealedOf()) ?? Buffer.alloc(0));
    expect(remaining.length).toBeGreaterThan(0);
    expect(() => open(t.kit.masterKey, remaining, context)).toThrow(DecryptionError);
    expect(() => unwrapDataKey(t.kit.masterKey, remaining, person.id)).toThrow(DecryptionError);
    // No other row of the database holds the old wrapped key.
    const copies = await t.kit.database.asAdmin(async (admin) => {
      const result = await sql<{ n: number }>`
        select count(*)::int as n from person_key where wrapped_key = ${Buffer.from(keyBefore)}`.execute(
        admin,
      );
      return result.rows[0]?.n;
    });
    expect(copies).toBe(0);
  });

  it('audits the request, the approval and the execution', async () => {
    const person = await t.person();
    const request = (await requestErasure(person.id, t.cookies.firstAdmin)).json();
    await approve(request.id, t.cookies.secondAdmin);
    const entries = (await auditOf(person.id)).filter((entry) => entry.outcome === 'allowed');
    expect(entries.map((entry) => [entry.action, entry.actor.id])).toEqual([
      ['person.erasure_request', t.operators.firstAdmin.id],
      ['person.erasure_approve', t.operators.secondAdmin.id],
      ['person.erasure_execute', t.operators.secondAdmin.id],
    ]);
    expect(entries.every((entry) => entry.actor.role === 'administrator')).toBe(true);
    expect(entries[2]?.fields).toEqual([...allNames].sort());
  });

  it('refuses an erased person (409), a second pending request (409), and a done request (409)', async () => {
    const person = await t.person();
    const first = await requestErasure(person.id, t.cookies.firstAdmin);
    const second = await requestErasure(person.id, t.cookies.secondAdmin);
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ code: 'AMP_CONFLICT' });
    expect((await approve(first.json().id, t.cookies.secondAdmin)).statusCode).toBe(200);
    const again = await requestErasure(person.id, t.cookies.secondAdmin);
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toMatch(/already been erased/);
    expect((await approve(first.json().id, t.cookies.secondAdmin)).statusCode).toBe(409);
  });
});
