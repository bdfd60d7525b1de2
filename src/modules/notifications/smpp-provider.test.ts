import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { enqueueText } from './outbox-enqueuer.js';
import { buildOutboxTestKit, type OutboxTestKit } from './outbox-test-kit.js';
import { outboxWorker } from './outbox-worker.js';
import { recordInbound, recordReceipt } from './receipts.js';
import { type SmppProviderOptions, smppProvider } from './smpp-provider.js';
import { startTestSmsc, type TestSmsc } from './smpp-test-kit.js';

/**
 * The SMPP provider against a real SMS centre on 127.0.0.1 (the `smpp` package's own server
 * side), issue 14 points 2, 3 and 5: transceiver bind, GSM-7 or UCS-2 per message, UDH
 * concatenation, window and throughput, reconnect, receipts and BAJA by deliver_sm.
 */
describe('SMPP provider', () => {
  let kit: OutboxTestKit;
  let smsc: TestSmsc;
  const providers: Array<{ close(): Promise<void> }> = [];
  const day = Date.UTC(2030, 0, 15, 19, 0, 0);

  beforeAll(async () => {
    kit = await buildOutboxTestKit();
  });
  afterAll(async () => {
    await kit?.close();
  });
  afterEach(async () => {
    for (const provider of providers.splice(0)) await provider.close();
    await smsc?.close();
  });

  // Receipts and replies are handled after the deliver_sm is answered: tests wait for the
  // count handled, not for a time (a fixed wait flaked on a loaded machine).
  const handled = counter();
  const connect = (
    options: Pick<SmppProviderOptions, 'windowMax' | 'submitsPerSecondMax' | 'onError'> = {},
  ) => {
    const provider = smppProvider({
      url: smsc.url,
      systemId: 'amparo',
      password: 'secret',
      sourceAddr: 'AMPARO',
      onReceipt: async (receipt) => {
        await recordReceipt(kit.database.db, { provider: 'smpp', ...receipt, at: new Date(day) });
        handled.add();
      },
      onInbound: async (inbound) => {
        await recordInbound(kit.database.db, kit.masterKey, { ...inbound, at: new Date(day) });
        handled.add();
      },
      ...options,
    });
    providers.push(provider);
    return provider;
  };

  it('sends GSM-7 when it can, UCS-2 for á, and long texts in parts joined by a UDH', async () => {
    smsc = await startTestSmsc();
    const provider = connect();
    const gsm = await provider.send({ id: 'a', to: '+584121000001', text: 'Año ¿señor? {ok}' });
    expect(gsm).toEqual({ kind: 'accepted', partIds: ['smsc-1'] });
    const long = `Amparo: su apelación tiene respuesta. ${'Consúltela en la oficina. '.repeat(6)}`;
    const parts = await provider.send({ id: 'b', to: '+584121000002', text: long });
    expect(parts.kind === 'accepted' && parts.partIds).toHaveLength(3);
    const [first, ...rest] = smsc.submits;
    expect(first).toMatchObject({ to: '584121000001', dataCoding: 0, esmClass: 0, concat: null });
    expect(first?.text).toBe('Año ¿señor? {ok}');
    expect(rest.map((s) => s.dataCoding)).toEqual([8, 8, 8]);
    expect(rest.every((s) => (s.esmClass & 0x40) === 0x40)).toBe(true);
    const reference = rest[0]?.concat?.[0];
    expect(rest.map((s) => s.concat)).toEqual([
      [reference, 3, 1],
      [reference, 3, 2],
      [reference, 3, 3],
    ]);
    expect(rest.map((s) => s.text).join('')).toBe(long);
  });

  it('keeps the window and the throughput limit', async () => {
    smsc = await startTestSmsc();
    smsc.responseDelayMs = 20;
    const provider = connect({ windowMax: 3, submitsPerSecondMax: 100 });
    await provider.bound();
    const started = Date.now();
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        provider.send({ id: `w${i}`, to: '+584121000003', text: `hola ${i}` }),
      ),
    );
    expect(outcomes.every((o) => o.kind === 'accepted')).toBe(true);
    expect(smsc.maxInFlight).toBeLessThanOrEqual(3);
    // 30 submits at 100 a second take at least 290 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('answers unavailable while the SMS centre is down or throttling, and binds again after a drop', async () => {
    smsc = await startTestSmsc();
    const provider = connect();
    await provider.bound();
    smsc.throttleNext = 1;
    expect((await provider.send({ id: 't', to: '+584121000004', text: 'x' })).kind).toBe(
      'unavailable',
    );
    smsc.dropSessions();
    // The provider has seen the drop once it refuses to bind (it waits out its backoff).
    await until(() => provider.bound().then(notYet, () => true));
    const during = await provider.send({ id: 'd', to: '+584121000004', text: 'x' });
    expect(during.kind).toBe('unavailable');
    // After the backoff it binds again on demand.
    await until(() => provider.bound().then(() => true, notYet));
    expect((await provider.send({ id: 'e', to: '+584121000004', text: 'y' })).kind).toBe(
      'accepted',
    );

    const url = smsc.url;
    await smsc.close();
    const down = smppProvider({ url, systemId: 'a', password: 'b', sourceAddr: 'AMPARO' });
    providers.push(down);
    expect((await down.send({ id: 'f', to: '+584121000004', text: 'z' })).kind).toBe('unavailable');
    smsc = await startTestSmsc();
  });

  it('delivers through the worker; receipts by deliver_sm mark it delivered, once; BAJA opts out', async () => {
    smsc = await startTestSmsc();
    const provider = connect();
    const person = await kit.person();
    const phone = '+584121777001';
    const id = await enqueueText(kit.database.db, kit.masterKey, {
      personId: person,
      phone,
      templateId: 'programs.appeal_decided',
      parameters: { reference: 'AP-2031' },
      queuedAt: new Date(day),
    });
    const worker = outboxWorker({
      db: kit.database.db,
      masterKey: kit.masterKey,
      provider,
      now: () => new Date(day + 1000),
    });
    expect(await worker.drain()).toBe(1);
    const handledBefore = handled.count;
    const status = async () =>
      (
        await kit.database.db
          .selectFrom('notification_outbox')
          .select(['status', 'segments', 'provider'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).status;
    expect(await status()).toBe('sent');
    const submitted = smsc.submits.map((s) => s.messageId);
    expect(submitted.length).toBeGreaterThanOrEqual(2);
    for (const messageId of submitted) await smsc.receipt(messageId, 'DELIVRD');
    await smsc.receipt(submitted[0] ?? '', 'DELIVRD');
    await smsc.receipt('smsc-unknown', 'DELIVRD');
    // Every part's receipt, one duplicate and one unknown id: all handled, then the state.
    await handled.reach(handledBefore + submitted.length + 2);
    expect(await status()).toBe('delivered');
    const receipts = await kit.database.db
      .selectFrom('notification_receipt')
      .select('provider_message_id')
      .where('provider', '=', 'smpp')
      .execute();
    expect(receipts.map((r) => r.provider_message_id).sort()).toEqual(
      [...submitted, 'smsc-unknown'].sort(),
    );

    const queued = await enqueueText(kit.database.db, kit.masterKey, {
      personId: person,
      phone,
      templateId: 'registry.enrolled',
      parameters: {},
      queuedAt: new Date(day),
    });
    const repliesBefore = handled.count;
    await smsc.reply('584121777001', 'BAJA');
    await handled.reach(repliesBefore + 1);
    const optedOut = await kit.database.db
      .selectFrom('notification_outbox')
      .select('failure_reason')
      .where('id', '=', queued)
      .executeTakeFirstOrThrow();
    expect(optedOut.failure_reason).toBe('opted_out');
  });

  it('hands a one-time code to the SMS centre: sealed in the outbox until then, gone after', async () => {
    smsc = await startTestSmsc('smsc-c-');
    const provider = connect();
    const code = '804713';
    const id = await enqueueText(kit.database.db, kit.masterKey, {
      personId: await kit.person(),
      phone: '+584121777003',
      templateId: 'citizen.sign_in_code',
      parameters: { code, validMinutes: '10' },
      queuedAt: new Date(day),
    });
    const row = () =>
      kit.database.db
        .selectFrom('notification_outbox')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    // The application's role reads no code in the row while it waits.
    const queued = await row();
    expect(JSON.stringify(queued)).not.toContain(code);
    expect(queued.secret_parameters_sealed).not.toBeNull();
    const worker = outboxWorker({
      db: kit.database.db,
      masterKey: kit.masterKey,
      provider,
      now: () => new Date(day + 1000),
    });
    await worker.drain();
    // The centre has the words with the code (UCS-2: the ó), in one part.
    const submits = smsc.submits.filter((submit) => submit.to === '584121777003');
    expect(submits).toEqual([
      expect.objectContaining({
        text: 'Amparo: su código de acceso es 804713 (vale 10 min).',
        dataCoding: 8,
        concat: null,
      }),
    ]);
    // Sent: the sealed code is gone from the row.
    const sent = await row();
    expect(sent).toMatchObject({ status: 'sent', secret_parameters_sealed: null });
    expect(JSON.stringify(sent)).not.toContain(code);
  });

  it('answers malformed, unknown, duplicated and per-segment receipts, keeps a clear state and does not crash', async () => {
    smsc = await startTestSmsc('smsc-m-');
    const errors: unknown[] = [];
    const provider = connect({ onError: (error) => errors.push(error) });
    const person = await kit.person();
    // A three-part message (UCS-2: the accents) through the worker.
    const id = await enqueueText(kit.database.db, kit.masterKey, {
      personId: person,
      phone: '+584121777002',
      templateId: 'programs.appeal_decided',
      parameters: { reference: 'AP-2032' },
      queuedAt: new Date(day),
    });
    const worker = outboxWorker({
      db: kit.database.db,
      masterKey: kit.masterKey,
      provider,
      now: () => new Date(day + 1000),
    });
    expect(await worker.drain()).toBe(1);
    const parts = smsc.submits.map((submit) => submit.messageId);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    const row = () =>
      kit.database.db
        .selectFrom('notification_outbox')
        .select(['status', 'failure_reason'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    const receiptsStored = async () =>
      (await kit.database.db.selectFrom('notification_receipt').select('id').execute()).length;
    const storedBefore = await receiptsStored();

    // Garbage: the receipt bit with text that names no id or state, an unknown state word, a
    // message_state no receipt uses, bytes that are no text, and an empty body. Each one is
    // answered ESME_ROK (0) by the provider; none is recorded.
    const garbage: Array<Record<string, unknown>> = [
      { esm_class: 0x04, short_message: 'garbage ☃ no id, no stat' },
      { esm_class: 0x04, short_message: `id:${parts[0]} stat:WHATEVER err:000` },
      { esm_class: 0x04, short_message: 'x', receipted_message_id: parts[0], message_state: 99 },
      { esm_class: 0x04, short_message: Buffer.from([0xff, 0x00, 0xfe, 0x1b, 0x1b]) },
      { esm_class: 0x04, short_message: '' },
      { esm_class: 0x00, short_message: Buffer.from([0xff, 0xfe, 0x00]) },
    ];
    for (const fields of garbage) {
      expect(
        await smsc.deliver({ source_addr: '584120000000', destination_addr: 'AMPARO', ...fields }),
      ).toEqual([0]);
    }
    expect(await receiptsStored()).toBe(storedBefore);
    expect((await row()).status).toBe('sent');

    // A receipt per segment: the second part undeliverable, the others delivered, one of them
    // twice, and an id no part has: failed (a failed segment beats the successes), and only
    // the distinct (id, status) pairs are kept.
    const before = handled.count;
    await smsc.receipt(parts[1] ?? '', 'UNDELIV');
    for (const part of parts) await smsc.receipt(part, 'DELIVRD');
    await smsc.receipt(parts[0] ?? '', 'DELIVRD');
    await smsc.receipt('smsc-never-sent', 'UNDELIV');
    await handled.reach(before + parts.length + 3);
    expect(await row()).toEqual({ status: 'failed', failure_reason: 'part_undeliverable' });
    expect((await receiptsStored()) - storedBefore).toBe(1 + parts.length + 1);
    const partStates = await kit.database.db
      .selectFrom('notification_part')
      .select(['part', 'status'])
      .where('message_id', '=', id)
      .orderBy('part')
      .execute();
    expect(partStates.map((p) => p.status)).toEqual(
      parts.map((_, index) => (index === 1 ? 'failed' : 'delivered')),
    );
    // The bind survived all of it: the provider still sends.
    expect((await provider.send({ id: 'after', to: '+584121777002', text: 'ok' })).kind).toBe(
      'accepted',
    );
    expect(errors).toEqual([]);
  });

  it('answers a receipt it could not record with a temporary error, so the centre sends it again', async () => {
    smsc = await startTestSmsc('smsc-t-');
    let down = true;
    const recorded: string[] = [];
    const provider = smppProvider({
      url: smsc.url,
      systemId: 'amparo',
      password: 'secret',
      sourceAddr: 'AMPARO',
      onReceipt: async (receipt) => {
        if (down) throw new Error('database unreachable');
        recorded.push(receipt.providerMessageId);
      },
      onError: () => {},
    });
    providers.push(provider);
    await provider.bound();
    const receipt = {
      source_addr: '584120000000',
      destination_addr: 'AMPARO',
      esm_class: 0x04,
      short_message: 'id:smsc-t-9 stat:DELIVRD err:000',
    };
    expect(await smsc.deliver(receipt)).toEqual([0x64]);
    down = false;
    expect(await smsc.deliver(receipt)).toEqual([0]);
    expect(recorded).toEqual(['smsc-t-9']);
  });
});

const notYet = () => false;

/** Resolves when `condition` holds, checking every 10 ms (bounded by the test's timeout). */
async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** Counts events and lets a test wait until a count is reached. */
function counter() {
  let count = 0;
  const waiters: Array<{ target: number; resolve: () => void }> = [];
  return {
    get count() {
      return count;
    },
    add() {
      count += 1;
      for (const waiter of waiters.filter((w) => w.target <= count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
    reach(target: number): Promise<void> {
      if (count >= target) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ target, resolve }));
    },
  };
}
