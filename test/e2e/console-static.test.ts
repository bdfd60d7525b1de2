import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, build } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createTestDatabase, type TestDatabase } from '../db.js';
import { createTestKeyStore } from '../keys.js';

/**
 * How the server serves the console: its files, `index.html` for any console address (so a
 * reload of `/persons/…` works), and never the page for an API path or a missing file; its files
 * are not counted against an address's rate limit, the API is.
 */
let app: App;
let database: TestDatabase;
let webDir: string;
const rateLimitMax = 20;

beforeAll(async () => {
  webDir = mkdtempSync(path.join(tmpdir(), 'amparo-web-'));
  mkdirSync(path.join(webDir, 'assets'));
  writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(path.join(webDir, 'assets', 'app-1234.js'), 'console.log(1);');
  database = await createTestDatabase();
  app = await build(loadConfig({ LOG_LEVEL: 'silent', AMPARO_WEB_DIR: webDir }), {
    database: database.handle,
    keys: createTestKeyStore(),
    // Low, so that the last test reaches it: this file's other requests count a handful.
    rateLimitRequestsMax: rateLimitMax,
  });
});

afterAll(async () => {
  await app.close();
  await database.close();
  rmSync(webDir, { recursive: true, force: true });
});

describe('console files and single-page fallback', () => {
  it('serves index.html at / and at any console address, never cached', async () => {
    for (const url of ['/', '/persons/0b7c9a52-1111-4222-8333-444455556666?purpose=enrolment']) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.body).toContain('<title>console</title>');
      expect(response.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves hashed assets with a long cache lifetime', async () => {
    const response = await app.inject({ url: '/assets/app-1234.js' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('console.log(1);');
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('keeps unknown API paths and missing files as 404 problems', async () => {
    for (const url of ['/api/no-such-thing', '/api/x/y', '/assets/missing.js', '/favicon.ico']) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json().code).toBe('AMP_ROUTE_NOT_FOUND');
    }
  });

  it('still answers the API and health routes themselves', async () => {
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/catalogue' })).statusCode).toBe(200);
  });

  it("never counts the console's files against the address's rate limit; the API stays limited", async () => {
    // Many operators behind one office address load the console's scripts: none is refused.
    for (let index = 0; index < rateLimitMax * 2; index += 1) {
      expect((await app.inject({ url: '/assets/app-1234.js' })).statusCode).toBe(200);
      expect((await app.inject({ url: '/distribution' })).statusCode).toBe(200);
    }
    const answers: number[] = [];
    for (let index = 0; index < rateLimitMax; index += 1) {
      answers.push((await app.inject({ url: '/api/catalogue' })).statusCode);
    }
    expect(answers).toContain(429);
  });
});
