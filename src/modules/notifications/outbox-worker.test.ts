import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limits } from '../../limits.js';
import { enqueueText } from './outbox-enqueuer.js';
import { recordHanded } from './outbox-repository.js';
import { buildOutboxTestKit, type OutboxTestKit, recordingProvider } from './outbox-test-kit.js';
import { outboxWorker } from './outbox-worker.js';
import { personNotifier } from './person-notices.js';
import { recordInbound, recordReceipt } from './receipts.js';

/**
 * The outbox's state machine end to end on the real database (issue 14, points 1, 3 and 5):
 * claim, send, retry with backoff, expiry, receipts, opt-out, quiet hours and the
 * per-recipient limit.
 */
describe('outbox worker', () => {
  let kit: OutboxTestKit;
  // 15:00 in Caracas (UTC−4): outside the quiet hours.
  const day = Date.UTC(2030, 0, 15, 19, 0, 0);
  // 23:00 in Caracas: inside.
  const night = Date.UTC(2030, 0, 16, 3, 0, 0);

  beforeAll(async () => {
    kit = await buildOutboxTestKit();
  });
  afterAll(async () => {
    await kit?.close();
  });

  const code = (personId: string, at: number, phone = '+584121000001') =>
    enqueueText(kit.database.db, kit.masterKey, {
      personId,
      phone,
      templateId: 'citizen.sign_in_code',
      parameters: { code: '123456', validMinutes: '10' },
      queuedAt: new Date(at),
    });
  const notice = (personId: string, at: number, phone = '+584121000002', language = 'es') =>
    enqueueText(kit.database.db, kit.masterKey, {
      personId,
      phone,
      language,
      templateId: 'credentials.card_ready',
      parameters: { place: 'Oficina Catia' },
      queuedAt: new Date(at),
    });
  const row = (id: string) =>
    kit.database.db
      .selectFrom('notification_outbox')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const workerAt = (clock: { t: number }, provider = recordingProvider()) => ({
    provider,
    worker: outboxWorker({
      db: kit.database.db,
      masterKey: kit.masterKey,
      provider,
      now: () => new Date(clock.t),
    }),
  });

  it('addresses kept notices when a worker with the contacts port passes, and sends them', async () => {
    const reached = await kit.person();
    const unreachable = await kit.person();
    const notifier = personNotifier({
      masterKey: kit.masterKey,
      contacts: { contactsIn: async () => new Map() },
      now: () => new Date(day),
    });
    const notice = {
      event: 'redemption_receipt',
      place: 'Escuela Bolívar',
      date: '2030-01-15',
      reference: 'R-1A2B3C4D',
    } as const;
    await kit.database.db.transaction().execute(async (trx) => {
      await notifier.notifyLater(trx, reached, notice);
      await notifier.notifyLater(trx, unreachable, notice);
      await notifier.notifyLater(trx, reached, { ...notice, reference: 'R-9A8B7C6D' });
    });
    // A worker without the port leaves them for one that has it.
    expect(await workerAt({ t: day + 1000 }).worker.drain()).toBe(0);
    const provider = recordingProvider();
    // Every call of the port: the sealed contacts of a batch are read at once, once a person.
    const asked: string[][] = [];
    const worker = outboxWorker({
      db: kit.database.db,
      masterKey: kit.masterKey,
      provider,
      now: () => new Date(day + 2000),
      // The registry's port answers only persons it can text.
      contacts: {
        contactsIn: async (_trx, personIds) => {
          asked.push([...personIds].sort());
          return new Map(
            personIds
              .filter((id) => id === reached)
              .map((id) => [id, { phone: '+584121000090', language: 'en', regionCode: 'VE-A' }]),
          );
        },
      },
    });
    expect(await worker.drain()).toBe(2);
    expect(asked).toEqual([[reached, unreachable].sort()]);
    expect(provider.sent.map((m) => m.text).sort()).toEqual([
      expect.stringContaining('R-1A2B3C4D'),
      expect.stringContaining('R-9A8B7C6D'),
    ]);
    // Both resolved (one with a message, one without) and so removed in the same pass.
    const kept = await kit.database.db
      .selectFrom('notification_deferred')
      .select(['person_id', 'resolved_at'])
      .where('person_id', 'in', [reached, unreachable])
      .execute();
    expect(kept).toEqual([]);
  });

  it('sends a queued message once, in the person’s language, and records its parts', async () => {
    const person = await kit.person();
    const es = await notice(person, day, '+584121000010', 'es');
    const en = await notice(person, day, '+584121000011', 'en');
    const { provider, worker } = workerAt({ t: day + 1000 });
    expect(await worker.drain()).toBe(2);
    expect(await worker.drain()).toBe(0);
    expect(provider.sent.map((m) => [m.to, m.text]).sort()).toEqual([
      ['+584121000010', 'Amparo: su carnet está listo. Retírelo en Oficina Catia.'],
      ['+584121000011', 'Amparo: your card is ready. Collect it at Oficina Catia.'],
    ]);
    for (const id of [es, en]) {
      const sent = await row(id);
      expect(sent.status).toBe('sent');
      expect(sent.provider).toBe('test');
      expect(sent.segments).toBe(1);
      expect(sent.attempts).toBe(1);
    }
  });

  it('never sends a sign-in code past its ten minutes', async () => {
    const person = await kit.person();
    const id = await code(person, day);
    const { provider, worker } = workerAt({ t: day + limits.notifications.sendingLeaseMs * 3 });
    await worker.drain();
    expect(provider.sent).toHaveLength(0);
    expect((await row(id)).status).toBe('expired');
  });

  it('retries a provider that is down with backoff, then sends; fails after the last attempt', async () => {
    const person = await kit.person();
    const id = await notice(person, day);
    const clock = { t: day };
    let down = true;
    const provider = recordingProvider(() =>
      down
        ? { kind: 'unavailable', reason: 'connect ECONNREFUSED' }
        : { kind: 'accepted', partIds: ['r-1'] },
    );
    const { worker } = workerAt(clock, provider);
    await worker.runOnce();
    let waiting = await row(id);
    expect(waiting.status).toBe('queued');
    expect(waiting.next_attempt_at?.getTime()).toBe(day + limits.notifications.retryBaseMs);
    await worker.runOnce();
    expect((await row(id)).attempts).toBe(1);
    clock.t = day + limits.notifications.retryBaseMs;
    await worker.runOnce();
    waiting = await row(id);
    expect(waiting.attempts).toBe(2);
    expect(waiting.next_attempt_at?.getTime()).toBe(clock.t + 2 * limits.notifications.retryBaseMs);
    down = false;
    clock.t = waiting.next_attempt_at?.getTime() ?? 0;
    await worker.runOnce();
    expect((await row(id)).status).toBe('sent');
    expect(provider.sent).toHaveLength(1);

    // From 10:00 in Caracas, 35 minutes between passes: every backoff has passed, no quiet hours.
    const morning = day - 5 * 60 * 60_000;
    const doomed = await notice(person, morning);
    down = true;
    clock.t = morning;
    for (let i = 0; i < limits.notifications.attemptsMax; i += 1) {
      await worker.runOnce();
      clock.t += 35 * 60_000;
    }
    const failed = await row(doomed);
    expect([failed.status, failed.failure_reason]).toEqual(['failed', 'provider_unavailable']);
  });

  it('never lets two workers send the same message', async () => {
    const ids = [];
    for (let i = 0; i < 40; i += 1)
      ids.push(await code(await kit.person(), day, `+5841220000${10 + i}`));
    const clock = { t: day + 1000 };
    const provider = recordingProvider(async () => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      return { kind: 'accepted', partIds: [`c-${Math.random()}`] };
    });
    const one = outboxWorker({
      db: kit.database.db,
      masterKey: kit.masterKey,
      provider,
      now: () => new Date(clock.t),
      batchMax: 7,
    });
    const two = outboxWorker({
      db: kit.database.db,
      masterKey: kit.masterKey,
      provider,
      now: () => new Date(clock.t),
      batchMax: 5,
    });
    const [a, b] = await Promise.all([one.drain(), two.drain()]);
    expect(a + b).toBe(40);
    const recipients = provider.sent.map((m) => m.to);
    expect(new Set(recipients).size).toBe(recipients.length);
    const statuses = await kit.database.db
      .selectFrom('notification_outbox')
      .select('status')
      .where('id', 'in', ids)
      .execute();
    expect(statuses.every((s) => s.status === 'sent')).toBe(true);
  });

  it('holds notices in quiet hours and over the per-recipient limit, never a sign-in code', async () => {
    const person = await kit.person();
    const heldNotice = await notice(person, night);
    const signIn = await code(person, night);
    const clock = { t: night + 1000 };
    const { worker } = workerAt(clock);
    await worker.drain();
    expect((await row(heldNotice)).status).toBe('queued');
    expect((await row(signIn)).status).toBe('sent');
    clock.t = night + 9 * 60 * 60_000; // 08:00 in Caracas
    await worker.drain();
    expect((await row(heldNotice)).status).toBe('sent');

    const busy = await kit.person();
    const max = limits.notifications.recipientMessagesMax;
    const ids = [];
    for (let i = 0; i <= max; i += 1) ids.push(await notice(busy, day + i));
    const late = { t: day + 60_000 };
    await workerAt(late).worker.drain();
    const statuses = await Promise.all(ids.map(async (id) => (await row(id)).status));
    expect(statuses.filter((s) => s === 'sent')).toHaveLength(max);
    expect(statuses.at(-1)).toBe('queued');
  });

  it('stops everything but requested codes to a phone that replied BAJA', async () => {
    const person = await kit.person();
    const phone = '+584125550001';
    const queued = await notice(person, day, phone);
    expect(
      await recordInbound(kit.database.db, kit.masterKey, {
        from: '584125550001',
        text: ' baja ',
        at: new Date(day),
      }),
    ).toBe('opted_out');
    expect(
      await recordInbound(kit.database.db, kit.masterKey, {
        from: phone,
        text: 'gracias',
        at: new Date(day),
      }),
    ).toBe('ignored');
    const later = await notice(person, day, phone);
    const signIn = await code(person, day, phone);
    const { provider, worker } = workerAt({ t: day + 1000 });
    await worker.drain();
    expect([(await row(queued)).status, (await row(queued)).failure_reason]).toEqual([
      'failed',
      'opted_out',
    ]);
    expect((await row(later)).failure_reason).toBe('opted_out');
    expect((await row(signIn)).status).toBe('sent');
    expect(provider.sent.map((m) => m.to)).toEqual([phone]);
  });

  it('keeps a number that is not E.164 as a failed message, and settles what a dead worker left sending', async () => {
    const person = await kit.person();
    const bad = await notice(person, day, '04121234567');
    expect([(await row(bad)).status, (await row(bad)).failure_reason]).toEqual([
      'failed',
      'not_e164',
    ]);

    // A dead worker's claim: one message handed to the provider (its fate unknown), one
    // claimed and never handed (the provider never saw it).
    const handed = await notice(person, day, '+584121000020');
    const unhanded = await notice(person, day, '+584121000021');
    await kit.database.db
      .updateTable('notification_outbox')
      .set({ status: 'sending', claimed_at: new Date(day), attempts: 1 })
      .where('id', 'in', [handed, unhanded])
      .execute();
    await kit.database.db
      .updateTable('notification_outbox')
      .set({ handed_at: new Date(day) })
      .where('id', '=', handed)
      .execute();
    // Within the lease nothing is touched (the worker may be alive).
    const early = workerAt({ t: day + limits.notifications.sendingLeaseMs - 1 });
    await early.worker.drain();
    expect(early.provider.sent).toHaveLength(0);
    expect((await row(unhanded)).status).toBe('sending');

    const { provider, worker } = workerAt({ t: day + limits.notifications.sendingLeaseMs + 1 });
    await worker.drain();
    expect([(await row(handed)).status, (await row(handed)).failure_reason]).toEqual([
      'failed',
      'interrupted',
    ]);
    expect((await row(unhanded)).status).toBe('sent');
    expect(provider.sent.map((m) => m.to)).toEqual(['+584121000021']);
  });

  it('a worker whose lease ran out cannot hand over what another worker took back', async () => {
    const person = await kit.person();
    const id = await notice(person, day, '+584121000030');
    // A slow worker claimed it at `day` (attempt 1) and has not handed it yet.
    await kit.database.db
      .updateTable('notification_outbox')
      .set({ status: 'sending', claimed_at: new Date(day), attempts: 1 })
      .where('id', '=', id)
      .execute();
    const clock = { t: day + 60_001 };
    const other = workerAt(clock);
    const quick = outboxWorker({
      db: kit.database.db,
      masterKey: kit.masterKey,
      provider: other.provider,
      now: () => new Date(clock.t),
      sendingLeaseMs: 60_000,
    });
    // Past a one-minute lease another worker queues it again and sends it once.
    await quick.runOnce();
    expect((await row(id)).status).toBe('sent');
    expect((await row(id)).attempts).toBe(2);
    // The slow worker's claim (claimed_at, attempt 1) no longer holds the row.
    expect(
      await recordHanded(kit.database.db, [{ id, attempts: 1 }], new Date(day), new Date(clock.t)),
    ).toEqual(new Set());
    expect(other.provider.sent).toHaveLength(1);
  });

  it('keeps receipts once and moves status forward only: a failed part beats a later success', async () => {
    const person = await kit.person();
    const id = await notice(person, day);
    const parts = ['m-1', 'm-2'].map((p) => `${p}-${id}`);
    const provider = recordingProvider(() => ({ kind: 'accepted', partIds: parts }));
    await workerAt({ t: day + 1 }, provider).worker.drain();
    const receipt = (part: number, status: 'delivered' | 'failed') =>
      recordReceipt(kit.database.db, {
        provider: 'test',
        providerMessageId: parts[part] ?? '',
        status,
        at: new Date(day + 5),
      });
    expect(await receipt(0, 'delivered')).toBe('recorded');
    expect(await receipt(0, 'delivered')).toBe('duplicate');
    expect((await row(id)).status).toBe('sent');
    expect(await receipt(1, 'delivered')).toBe('recorded');
    expect((await row(id)).status).toBe('delivered');
    expect(await receipt(1, 'failed')).toBe('recorded');
    expect((await row(id)).status).toBe('failed');
    expect(await receipt(1, 'delivered')).toBe('duplicate');
    expect((await row(id)).status).toBe('failed');
    expect(
      await recordReceipt(kit.database.db, {
        provider: 'test',
        providerMessageId: 'nobody',
        status: 'delivered',
        at: new Date(day),
      }),
    ).toBe('unknown');
  });

  it('applies a receipt that arrived before the parts were recorded (a fast SMS centre)', async () => {
    const person = await kit.person();
    const delivered = await notice(person, day, '+584121000031');
    const failed = await notice(person, day, '+584121000032');
    // The receipt is in before the provider answers the worker, as over SMPP when the centre
    // sends deliver_sm right after submit_sm_resp: it is `unknown` at that moment.
    const provider = recordingProvider(async (message) => {
      const partIds = [`fast-1-${message.id}`, `fast-2-${message.id}`];
      for (const [index, partId] of partIds.entries()) {
        const status = message.id === failed && index === 1 ? 'failed' : 'delivered';
        const outcome = await recordReceipt(kit.database.db, {
          provider: 'test',
          providerMessageId: partId,
          status,
          at: new Date(day + 2),
        });
        expect(outcome).toBe('unknown');
      }
      return { kind: 'accepted', partIds };
    });
    await workerAt({ t: day + 1 }, provider).worker.drain();
    expect((await row(delivered)).status).toBe('delivered');
    expect(await row(failed)).toMatchObject({
      status: 'failed',
      failure_reason: 'part_undeliverable',
    });
  });

  it('refuses, in the database, to move a message backwards', async () => {
    const person = await kit.person();
    const id = await notice(person, day);
    await workerAt({ t: day + 1 }).worker.drain();
    await expect(
      kit.database.db
        .updateTable('notification_outbox')
        .set({ status: 'queued' })
        .where('id', '=', id)
        .execute(),
    ).rejects.toThrow(/cannot move from sent to queued/);
    await expect(
      sql`update notification_outbox set status = 'sending' where id = ${id}`.execute(
        kit.database.db,
      ),
    ).rejects.toThrow(/cannot move/);
  });
});
