import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/db.js';
import { createTestKeyStore } from '../test/keys.js';
import { logCapture } from '../test/log-capture.js';
import { type App, build } from './app.js';
import { loadConfig } from './config.js';
import { limits } from './limits.js';

describe('HTTP foundation', () => {
  let database: TestDatabase;
  let app: App;
  const logs = logCapture();

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = loadConfig({ LOG_LEVEL: 'info', AMPARO_WEB_DIR: '/nonexistent' });
    app = await build(config, {
      database: database.handle,
      keys: createTestKeyStore(),
      logDestination: logs.stream,
    });
    // A route with a body schema, standing in for the module routes that come later.
    app.post(
      '/api/test/echo',
      {
        schema: {
          body: Type.Object(
            {
              fullName: Type.String({ maxLength: 50 }),
              uin: Type.String({ pattern: '^[2-9][0-9]{9}$' }),
              phone: Type.String(),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ ok: Type.Boolean() }) },
        },
      },
      async () => ({ ok: true, fullName: 'must not be sent' }),
    );
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it('answers /healthz and /readyz when the database is current', async () => {
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', migrations: 'current' });
  });

  it('reports not ready while a migration is pending', async () => {
    const removed = await database.asAdmin(async (admin) => {
      const row = await admin
        .selectFrom('amparo_migration')
        .selectAll()
        .orderBy('name', 'desc')
        .executeTakeFirstOrThrow();
      await admin.deleteFrom('amparo_migration').where('name', '=', row.name).execute();
      return row;
    });
    try {
      const response = await app.inject({ url: '/readyz' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ status: 'not_ready', migrations: 'pending' });
    } finally {
      await database.asAdmin((admin) =>
        admin
          .insertInto('amparo_migration')
          .values({ name: removed.name, checksum: removed.checksum })
          .execute(),
      );
    }
  });

  it('serves unknown routes as 404 problem+json', async () => {
    const response = await app.inject({ url: '/api/nowhere' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 404, code: 'AMP_ROUTE_NOT_FOUND' });
  });

  it('names the offending field of a malformed request', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/test/echo',
      payload: { fullName: 'Ana', uin: '0123', phone: '+584121234567' },
    });
    expect(response.statusCode).toBe(400);
    const problem = response.json();
    expect(problem.code).toBe('AMP_VALIDATION');
    expect(problem.errors.map((e: { field: string }) => e.field)).toContain('body/uin');
    const missing = await app.inject({
      method: 'POST',
      url: '/api/test/echo',
      payload: { fullName: 'Ana', uin: '2345678901' },
    });
    expect(missing.json().errors.map((e: { field: string }) => e.field)).toContain('body/phone');
  });

  it('refuses unknown fields instead of dropping them silently', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/test/echo',
      payload: { fullName: 'Ana', uin: '2345678901', phone: '+584121234567', extra: 1 },
    });
    expect(response.statusCode).toBe(400);
  });

  it('sends only what the response schema declares', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/test/echo',
      payload: { fullName: 'Ana', uin: '2345678901', phone: '+584121234567' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ ok: true });
  });

  it('answers 413 for an oversized body and 400 for broken JSON, 415 for other media', async () => {
    const huge = JSON.stringify({
      fullName: 'x'.repeat(limits.http.bodyBytesMax + 10),
      uin: '2',
      phone: '1',
    });
    const tooLarge = await app.inject({
      method: 'POST',
      url: '/api/test/echo',
      payload: huge,
      headers: { 'content-type': 'application/json' },
    });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json().code).toBe('AMP_PAYLOAD_TOO_LARGE');
    const broken = await app.inject({
      method: 'POST',
      url: '/api/test/echo',
      payload: '{"fullName":',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().code).toBe('AMP_VALIDATION');
    const xml = await app.inject({
      method: 'POST',
      url: '/api/test/echo',
      payload: '<a/>',
      headers: { 'content-type': 'application/xml' },
    });
    expect(xml.statusCode).toBe(415);
  });

  it('publishes OpenAPI 3 and a docs page', async () => {
    const spec = (await app.inject({ url: '/api/openapi.json' })).json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz']));
    const docs = await app.inject({ url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/text\/html/);
  });

  it('sets security headers', async () => {
    const response = await app.inject({ url: '/healthz' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['x-frame-options']).toBeDefined();
  });

  it("keeps a person's name, ID number and phone out of the logs", async () => {
    const name = 'Yusmary Coromoto Pérez Guédez';
    const uin = '4839201756';
    const phone = '+584149876543';
    const query = new URLSearchParams({ name, uin, phone }).toString();
    await app.inject({ url: `/api/persons/${uin}?${query}` });
    await app.inject({
      method: 'POST',
      url: `/api/test/echo?${query}`,
      payload: { fullName: name, uin, phone },
    });
    await app.inject({
      method: 'POST',
      url: '/api/test/echo',
      payload: { fullName: name, uin: 'bad', phone },
    });
    const text = logs.text();
    expect(text).toContain('"route":"/api/test/echo"');
    for (const secret of [
      uin,
      phone,
      'Yusmary',
      'Pérez',
      encodeURIComponent(phone),
      '4149876543',
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});
