import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKeyStore } from '../../../test/keys.js';
import { type App, build } from '../../app.js';
import { loadConfig } from '../../config.js';
import { enqueueText } from './outbox-enqueuer.js';
import { buildOutboxTestKit, type OutboxTestKit } from './outbox-test-kit.js';
import { outboxWorker } from './outbox-worker.js';
import { webhookProvider } from './webhook-provider.js';
import { signWebhook, webhookSignatureValid } from './webhook-signature.js';

/**
 * The HTTP gateway provider against a real local HTTP server (issue 14, points 2 and 3):
 * signed requests, the gateway's answers mapped to sent / retried / failed, and signed
 * receipts and replies through the API, 200 for duplicates and unknown ids, 401 unsigned.
 */
describe('HTTP webhook provider', () => {
  let kit: OutboxTestKit;
  let app: App;
  let gateway: Server;
  let gatewayUrl: string;
  const secret = 'a-shared-secret-of-some-length';
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  let answer: { status: number; body: unknown } = { status: 200, body: { messageIds: ['g-1'] } };
  const day = Date.UTC(2030, 0, 15, 19, 0, 0);

  beforeAll(async () => {
    kit = await buildOutboxTestKit();
    app = await build(loadConfig({ LOG_LEVEL: 'silent', AMPARO_WEB_DIR: '/nonexistent' }), {
      database: kit.database.handle,
      keys: { ...createTestKeyStore(), masterKey: kit.masterKey },
      notifications: { webhookSecret: secret },
    });
    gateway = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(answer.status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', () => resolve()));
    gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/send`;
  });
  afterAll(async () => {
    await app?.close();
    await new Promise((resolve) => gateway?.close(resolve));
    await kit?.close();
  });

  const queue = async () =>
    enqueueText(kit.database.db, kit.masterKey, {
      personId: await kit.person(),
      phone: '+584121888001',
      language: 'en',
      templateId: 'credentials.card_ready',
      parameters: { place: 'Oficina Catia' },
      queuedAt: new Date(day),
    });
  const status = async (id: string) =>
    (
      await kit.database.db
        .selectFrom('notification_outbox')
        .select(['status', 'failure_reason'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).status;
  const worker = (url = gatewayUrl) =>
    outboxWorker({
      db: kit.database.db,
      masterKey: kit.masterKey,
      provider: webhookProvider({ url, secret }),
      now: () => new Date(day + 1000),
    });
  const signed = (url: string, payload: unknown, options: { key?: string; at?: number } = {}) => {
    const body = JSON.stringify(payload);
    const timestamp = options.at ?? Date.now();
    return app.inject({
      method: 'POST',
      url,
      headers: {
        'content-type': 'application/json',
        'x-amparo-timestamp': String(timestamp),
        'x-amparo-signature': signWebhook(options.key ?? secret, timestamp, body),
      },
      payload: body,
    });
  };

  it('posts each message signed; the gateway’s answer decides sent, retried or failed', async () => {
    answer = { status: 200, body: { messageIds: ['g-1'] } };
    const sent = await queue();
    expect(await worker().drain()).toBe(1);
    expect(await status(sent)).toBe('sent');
    const request = received.at(-1);
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({
      id: sent,
      to: '+584121888001',
      text: 'Amparo: your card is ready. Collect it at Oficina Catia.',
      encoding: 'gsm7',
      segments: 1,
    });
    expect(
      webhookSignatureValid(
        secret,
        {
          timestamp: String(request?.headers['x-amparo-timestamp']),
          signature: String(request?.headers['x-amparo-signature']),
        },
        Buffer.from(request?.body ?? ''),
        Number(request?.headers['x-amparo-timestamp']),
      ),
    ).toBe(true);

    answer = { status: 503, body: {} };
    const retried = await queue();
    await worker().runOnce();
    expect(await status(retried)).toBe('queued');

    answer = { status: 400, body: {} };
    const refused = await queue();
    await worker().runOnce();
    expect(await status(refused)).toBe('failed');

    // A port nothing listens on (a server opened and closed again): nothing reached a gateway.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await queue();
    await worker(`http://127.0.0.1:${port}/send`).runOnce();
    expect(await status(unreachable)).toBe('queued');
  });

  it('takes signed receipts once, 200 for duplicates and unknown ids, 401 without a valid signature', async () => {
    answer = { status: 200, body: { messageIds: ['g-receipt'] } };
    const id = await queue();
    await worker().drain();
    const receipt = { messageId: 'g-receipt', status: 'delivered' };
    const unsigned = await app.inject({
      method: 'POST',
      url: '/api/notifications/webhook/receipts',
      payload: receipt,
    });
    expect(unsigned.statusCode).toBe(401);
    expect(
      (await signed('/api/notifications/webhook/receipts', receipt, { key: 'wrong' })).statusCode,
    ).toBe(401);
    const stale = await signed('/api/notifications/webhook/receipts', receipt, {
      at: Date.now() - 60 * 60_000,
    });
    expect(stale.statusCode).toBe(401);
    expect(await status(id)).toBe('sent');

    const first = await signed('/api/notifications/webhook/receipts', receipt);
    expect([first.statusCode, first.json().outcome]).toEqual([200, 'recorded']);
    expect(await status(id)).toBe('delivered');
    const again = await signed('/api/notifications/webhook/receipts', receipt);
    expect([again.statusCode, again.json().outcome]).toEqual([200, 'duplicate']);
    const unknown = await signed('/api/notifications/webhook/receipts', {
      messageId: 'never-sent',
      status: 'failed',
    });
    expect([unknown.statusCode, unknown.json().outcome]).toEqual([200, 'unknown']);
    const malformed = await signed('/api/notifications/webhook/receipts', { messageId: 'x' });
    expect(malformed.statusCode).toBe(400);

    const reply = await signed('/api/notifications/webhook/inbound', {
      from: '+584121888001',
      text: 'STOP',
    });
    expect([reply.statusCode, reply.json().outcome]).toEqual([200, 'opted_out']);
  });
});
