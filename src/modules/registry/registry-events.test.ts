import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildErasureTestKit, type ErasureTestKit } from './erasure/erasure-test-kit.js';
import { type RegistryEventName, RegistryEvents } from './registry-events.js';

/**
 * The registry's lifecycle events through the real application: published inside the write's
 * transaction (a failing subscriber refuses the write, and the card revocation credentials did
 * in the same transaction rolls back with it), and carrying identifiers only.
 */
describe('registry lifecycle events', () => {
  let t: ErasureTestKit;
  const published: Array<{ name: RegistryEventName; event: object }> = [];
  let failing: RegistryEventName | null = null;

  beforeAll(async () => {
    t = await buildErasureTestKit({
      registrySubscribers: (events) => {
        for (const name of ['personDied', 'personsMerged', 'personErased'] as const) {
          events.on(name, async (_trx, event) => {
            if (failing === name) throw new Error(`the ${name} subscriber failed`);
            published.push({ name, event });
          });
        }
      },
    });
  });
  afterAll(async () => t?.close());

  const record = (personId: string, verb: string, payload: object) =>
    t.post(`/api/persons/${personId}/${verb}?purpose=enrolment`, t.cookies.supervisor, payload);

  /** A person with an active card, the card written straight to the table. */
  async function personWithCard(): Promise<string> {
    const { id } = await t.person();
    await t.kit.database.asAdmin((admin) =>
      sql`insert into credential (id, person_id, person_version, kid, issued_at, expires_at)
        values (decode(md5(${id}), 'hex'), ${id}, 1, '00112233445566aa', now(),
          now() + interval '1 year')`.execute(admin),
    );
    return id;
  }

  /** What the write and its subscriber change: the person, its versions, its card. */
  async function state(personId: string) {
    const rows = await t.kit.database.asAdmin((admin) =>
      sql<{ status: string; versions: number; card: string; reason: string | null }>`
        select p.status, (select count(*)::int from person_version v where v.person_id = p.id)
          as versions, c.status as card, c.revocation_reason as reason
        from person p join credential c on c.person_id = p.id where p.id = ${personId}`.execute(
        admin,
      ),
    );
    return rows.rows[0];
  }

  const unchanged = { status: 'active', versions: 1, card: 'active', reason: null };

  it('records no death when a subscriber fails, and revokes the card when none does', async () => {
    const personId = await personWithCard();
    const body = { clientId: randomUUID(), dateOfDeath: '2026-01-02' };
    failing = 'personDied';
    expect((await record(personId, 'death', body)).statusCode).toBe(500);
    expect(await state(personId)).toEqual(unchanged);
    failing = null;
    // The same clientId: the refused attempt left no idempotency record behind either.
    expect((await record(personId, 'death', body)).statusCode).toBe(200);
    expect(await state(personId)).toMatchObject({ status: 'deceased', card: 'revoked' });
    expect(published).toContainEqual({ name: 'personDied', event: { personId } });
  });

  it('records no merge when a subscriber fails; a merge revokes the merged card as reissued', async () => {
    const mergedId = await personWithCard();
    const { id: survivorId } = await t.person();
    const body = { clientId: randomUUID(), survivorId };
    failing = 'personsMerged';
    expect((await record(mergedId, 'merge', body)).statusCode).toBe(500);
    expect(await state(mergedId)).toEqual(unchanged);
    failing = null;
    expect((await record(mergedId, 'merge', body)).statusCode).toBe(200);
    expect(await state(mergedId)).toMatchObject({ status: 'merged', reason: 'reissued' });
    expect(published).toContainEqual({ name: 'personsMerged', event: { mergedId, survivorId } });
  });

  it('erases nothing when a subscriber fails; the request stays pending for a later approval', async () => {
    const personId = await personWithCard();
    const asked = await t.post(
      `/api/persons/${personId}/erasure-requests?purpose=appeal`,
      t.cookies.firstAdmin,
      { reasonCode: 'court_order', reference: 'TSJ-2026-00999' },
    );
    const approve = () =>
      t.post(`/api/erasure-requests/${asked.json().id}/approve`, t.cookies.secondAdmin);
    failing = 'personErased';
    expect((await approve()).statusCode).toBe(500);
    expect(await state(personId)).toEqual(unchanged);
    failing = null;
    expect((await approve()).json()).toMatchObject({ status: 'executed' });
    expect(await state(personId)).toMatchObject({ status: 'erased', card: 'revoked' });
    expect(published).toContainEqual({ name: 'personErased', event: { personId } });
  });

  it('tells subscribers identifiers only: no attribute, no ID number, no name', () => {
    expect(published.length).toBeGreaterThanOrEqual(3);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    for (const { event } of published) {
      for (const value of Object.values(event)) expect(value).toMatch(uuid);
    }
  });
});

describe('RegistryEvents', () => {
  it('runs subscribers in order, each told the same frozen event', async () => {
    const events = new RegistryEvents();
    const told: string[] = [];
    events.on('personDied', async (_trx, event) => {
      told.push(`first ${event.personId}`);
      expect(Object.isFrozen(event)).toBe(true);
    });
    events.on('personDied', async (_trx, event) => {
      told.push(`second ${event.personId}`);
    });
    events.on('personErased', async () => {
      told.push('never: another event');
    });
    // Safe: no subscriber here touches the transaction.
    const trx = {} as Parameters<RegistryEvents['publish']>[0];
    await events.publish(trx, 'personDied', { personId: 'p-1' });
    expect(told).toEqual(['first p-1', 'second p-1']);
  });
});
