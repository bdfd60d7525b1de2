import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import smpp, { type Pdu, type Session } from 'smpp';
import { enqueueTexts } from '../src/modules/notifications/outbox-enqueuer.js';
import { outboxWorker } from '../src/modules/notifications/outbox-worker.js';
import { recordReceipt } from '../src/modules/notifications/receipts.js';
import { smppProvider } from '../src/modules/notifications/smpp-provider.js';
import {
  closePglite,
  kyselyOverPglite,
  openPglite,
  switchToAppRole,
} from '../src/platform/db/database.js';
import { migrateUp } from '../src/platform/db/migrator.js';

/**
 * Outbox → SMPP throughput from one process (issue 14, performance): `messages` queued
 * one-part texts drained by one outbox worker through the SMPP provider to a local SMS centre
 * (the `smpp` package's own server side), which answers each submit and then sends its
 * delivery receipt by deliver_sm; the run ends when every message is `delivered`, so receipts
 * are handled within the same time. Target ≥ 200 messages/s. In-memory PGlite, as the
 * application role.
 *
 *   npm run bench -- notifications-smpp [messages=2000] [submitsPerSecondMax=1000]
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const messages = Number(args[0] ?? 2_000);
  const submitsPerSecondMax = Number(args[1] ?? 1_000);
  const pglite = await openPglite('memory://');
  const db = kyselyOverPglite(pglite);
  const smsc = await receiptingSmsc();
  try {
    await migrateUp(db);
    await switchToAppRole(db);
    const masterKey = randomBytes(32);
    // Midday in Caracas: no quiet hours; one person per message: no per-recipient limit.
    const at = new Date(Date.UTC(2030, 0, 15, 16, 0, 0));
    const personIds = Array.from({ length: messages }, () => randomUUID());
    for (let start = 0; start < messages; start += 1_000) {
      const chunk = personIds.slice(start, start + 1_000);
      await sql`insert into person (id, uin, region_code, merged_into)
        select id, (2000000000 + ${start} + row_number() over ())::text, 'VE-A', null
        from unnest(${chunk}::uuid[]) as id`.execute(db);
      await enqueueTexts(
        db,
        masterKey,
        chunk.map((personId, i) => ({
          personId,
          phone: `+58412${String(1_000_000 + start + i)}`,
          // English: GSM-7, one part each, every text different.
          language: 'en',
          templateId: 'programs.appeal_decided',
          parameters: { reference: `AP-${start + i}` },
          queuedAt: at,
        })),
      );
    }
    let receipts = 0;
    const provider = smppProvider({
      url: smsc.url,
      systemId: 'amparo',
      password: 'secret',
      sourceAddr: 'AMPARO',
      submitsPerSecondMax,
      onReceipt: async (receipt) => {
        await recordReceipt(db, { provider: 'smpp', ...receipt, at });
        receipts += 1;
      },
    });
    await provider.bound();
    const worker = outboxWorker({ db, masterKey, provider, now: () => at });
    const started = performance.now();
    const sent = await worker.drain();
    const sentMs = performance.now() - started;
    while (receipts < messages) await new Promise((resolve) => setTimeout(resolve, 5));
    const deliveredMs = performance.now() - started;
    const states = await db
      .selectFrom('notification_outbox')
      .select(['status', (eb) => eb.fn.countAll<string>().as('count')])
      .groupBy('status')
      .execute();
    await provider.close();
    return {
      command: `npm run bench -- notifications-smpp ${messages} ${submitsPerSecondMax}`,
      database: 'pglite (in memory)',
      messages,
      sent,
      submitsAtSmsc: smsc.submits,
      distinctSubmittedTexts: smsc.distinct.size,
      receiptsHandled: receipts,
      states: Object.fromEntries(states.map((row) => [row.status, Number(row.count)])),
      sendMs: Math.round(sentMs),
      sentPerSecond: Math.round(sent / (sentMs / 1000)),
      allDeliveredMs: Math.round(deliveredMs),
      deliveredPerSecond: Math.round(messages / (deliveredMs / 1000)),
      loadAverage: readFileSync('/proc/loadavg', 'utf8').trim(),
    };
  } finally {
    await smsc.close();
    await closePglite(db, pglite);
  }
}

/** An SMS centre that answers every submit and then sends its DELIVRD receipt. */
async function receiptingSmsc() {
  let next = 1;
  const distinct = new Set<string>();
  const state = { submits: 0, distinct, url: '', close: async () => {} };
  const sessions = new Set<Session>();
  const server = smpp.createServer({}, (session: Session) => {
    session.on('bind_transceiver', (pdu: Pdu) => {
      sessions.add(session);
      session.send(pdu.response());
    });
    session.on('close', () => sessions.delete(session));
    session.on('error', () => sessions.delete(session));
    session.on('enquire_link', (pdu: Pdu) => session.send(pdu.response()));
    session.on('unbind', (pdu: Pdu) => session.send(pdu.response()));
    session.on('submit_sm', (pdu: Pdu) => {
      const messageId = `smsc-${next++}`;
      state.submits += 1;
      const body = pdu.short_message as { message?: string } | Buffer;
      distinct.add(Buffer.isBuffer(body) ? body.toString('latin1') : String(body.message));
      session.send(pdu.response({ message_id: messageId }));
      session.deliver_sm({
        source_addr: String(pdu.destination_addr),
        destination_addr: 'AMPARO',
        esm_class: 0x04,
        short_message: `id:${messageId} stat:DELIVRD err:000 text:`,
        receipted_message_id: messageId,
        message_state: 2,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.url = `smpp://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const session of sessions) session.destroy();
      server.close(() => resolve());
    });
  return state;
}
