import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, build } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { SignInAttemptEvent } from '../../src/modules/access/authentication-events.js';
import { createTestDatabase, type TestDatabase } from '../db.js';
import { cheapHashOptions } from '../factories.js';
import { createTestKeyStore } from '../keys.js';

/**
 * Admission control (src/platform/http/admission.ts) on a listening server over a real
 * database: with the bound of requests in flight reached, a further request is answered 503
 * AMP_NOT_READY with Retry-After at once and counted nowhere, while the requests held in flight
 * complete 2xx once let go; probes and sign-in are not shed with the work.
 */
describe('admission control: a bounded number of requests in flight, the rest shed at once', () => {
  const inFlightMax = 3;
  const rateLimitRequestsMax = 1_000;
  let database: TestDatabase;
  let app: App;
  let base = '';
  const signInAttempts: SignInAttemptEvent[] = [];
  /** Requests whose handler has started, and the latch that holds them there. */
  let entered = 0;
  let letGo: () => void = () => undefined;
  let latch = new Promise<void>((resolve) => {
    letGo = resolve;
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await build(loadConfig({ LOG_LEVEL: 'silent', AMPARO_WEB_DIR: '/nonexistent' }), {
      database: database.handle,
      keys: { ...createTestKeyStore(), masterKey: randomBytes(32) },
      rateLimitRequestsMax,
      admission: { inFlightMax, signInInFlightMax: 1, retryAfterSeconds: 2 },
      access: {
        passwordHashOptions: cheapHashOptions,
        onSignInAttempt: (event) => {
          signInAttempts.push(event);
        },
      },
    });
    // A route as a module would add one: it waits at the latch, then uses the database.
    app.post('/api/held', async () => {
      entered += 1;
      await latch;
      const row = await sql<{ one: number }>`select 1 as one`.execute(database.db);
      return { one: row.rows[0]?.one };
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });
  afterAll(async () => {
    letGo();
    await app?.close();
    await database?.close();
  });

  const send = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, init);
  const untilEntered = async (count: number) => {
    const deadline = Date.now() + 20_000;
    while (entered < count) {
      if (Date.now() > deadline) throw new Error(`only ${entered} requests entered`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  it('sheds what is beyond the bound at once, and serves what it admitted', async () => {
    const held = Array.from({ length: inFlightMax }, () => send('/api/held', { method: 'POST' }));
    await untilEntered(inFlightMax);

    // Beyond the bound: the held route itself and a real one, each answered without waiting.
    for (const path of ['/api/held', '/api/programs', '/api/auth/session']) {
      const startedAt = Date.now();
      const refused = await send(path, { method: path === '/api/held' ? 'POST' : 'GET' });
      const waitedMs = Date.now() - startedAt;
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('2');
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(await refused.json()).toMatchObject({ status: 503, code: 'AMP_NOT_READY' });
      // Admitted, the held route would never answer while the latch is shut; a generous
      // bound for a loaded machine still tells an answer "at once" from a queued one.
      expect(waitedMs).toBeLessThan(5_000);
    }
    // The refused handler never ran.
    expect(entered).toBe(inFlightMax);

    // Not shed with the work: the probes, and sign-in (its own bound).
    expect((await send('/healthz')).status).toBe(200);
    const signIn = await send('/api/auth/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'nobody-here', password: 'wrong password', totp: '000000' }),
    });
    expect(signIn.status).not.toBe(503);
    expect(signInAttempts).toHaveLength(1);

    letGo();
    const answers = await Promise.all(held);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ one: 1 });
    }

    // Nothing was counted for the refused requests: the per-address rate limit saw the three
    // held, this one and the sign-in (if it shares the limit), never the three refused.
    latch = Promise.resolve();
    const after = await send('/api/held', { method: 'POST' });
    expect(after.status).toBe(200);
    const remaining = Number(after.headers.get('x-ratelimit-remaining'));
    const counted = rateLimitRequestsMax - remaining;
    expect(counted).toBeGreaterThanOrEqual(inFlightMax + 1);
    expect(counted).toBeLessThanOrEqual(inFlightMax + 2);
  });

  it('admits again once the requests in flight have left', async () => {
    const answers = await Promise.all(
      Array.from({ length: inFlightMax }, () => send('/api/held', { method: 'POST' })),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(inFlightMax).fill(200));
  });
});
