import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { servingLines } from './cli/start-up-lines.js';
import { loadConfig } from './config.js';
import { limits } from './limits.js';
import { trustAnchorOf } from './modules/credentials/trust-anchor.js';
import { loadKeyStore } from './platform/crypto/key-store.js';
import { ConfigError } from './platform/errors.js';
import { startServer } from './server.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'amparo-start-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function configIn(dir: string, extra: Record<string, string> = {}) {
  return loadConfig({ AMPARO_DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'silent', ...extra });
}

async function occupiedPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  return { server, port: address.port };
}

describe('start-up', () => {
  it('creates keys and an embedded database with demo data, then reuses them', async () => {
    const dir = path.join(scratch, 'fresh');
    const said: string[] = [];
    const first = await startServer({
      config: configIn(dir),
      mode: 'start',
      say: (line) => said.push(line),
    });
    try {
      const persons = await sql<{ n: bigint }>`select count(*) as n from person`.execute(
        first.database.db,
      );
      expect(persons.rows[0]?.n).toBe(BigInt(limits.demo.seedPersons));
      const searchable = await sql<{ n: bigint }>`select count(*) as n from person_search`.execute(
        first.database.db,
      );
      expect(searchable.rows[0]?.n).toBe(BigInt(limits.demo.seedPersons));
      const households = await sql<{
        n: bigint;
      }>`select count(*) as n from household_version`.execute(first.database.db);
      expect(Number(households.rows[0]?.n)).toBeGreaterThan(limits.demo.seedPersons / 12);
      const operators = await first.database.db
        .selectFrom('operator')
        .select(['username', 'password_hash'])
        .execute();
      expect(operators.map((operator) => operator.username)).toContain('admin');
      expect(operators.every((operator) => operator.password_hash.startsWith('$argon2id$'))).toBe(
        true,
      );
      const health = await fetch(`${first.url}/readyz`);
      expect(health.status).toBe(200);
    } finally {
      await first.close();
    }
    expect(said.some((line) => line.startsWith('Seeded demo data'))).toBe(true);
    expect(
      said.some((line) => /^ {2}admin +password [A-Za-z0-9_-]{22} +TOTP [A-Z2-7]{32} /.test(line)),
    ).toBe(true);
    expect(existsSync(path.join(dir, 'keys', 'master.key'))).toBe(true);

    const againSaid: string[] = [];
    const second = await startServer({
      config: configIn(dir),
      mode: 'start',
      say: (line) => againSaid.push(line),
    });
    let secondLines: string[];
    try {
      const persons = await sql<{ n: bigint }>`select count(*) as n from person`.execute(
        second.database.db,
      );
      expect(persons.rows[0]?.n).toBe(BigInt(limits.demo.seedPersons));
      // The development sink runs on its own: codes asked for reach the file within seconds.
      const uins = await second.database.db
        .selectFrom('person')
        .select('uin')
        .where('status', '=', 'active')
        .limit(10)
        .execute();
      for (const { uin } of uins) {
        const asked = await second.app.inject({
          method: 'POST',
          url: '/api/citizen/sign-in/start',
          payload: { uin },
        });
        expect(asked.statusCode).toBe(202);
      }
      await expect
        .poll(() => readFileSync(path.join(dir, 'sms-outbox.log'), 'utf8'), { timeout: 15_000 })
        .toMatch(/to \+58\d+ +Amparo: su código de acceso es \d{6}/);
      secondLines = servingLines({
        config: configIn(dir),
        mode: 'start',
        server: second,
        readySeconds: 1,
      });
    } finally {
      await second.close();
    }
    expect(againSaid).toEqual([]);
    const anchor = trustAnchorOf(loadKeyStore(path.join(dir, 'keys'))).anchor;
    const anchorLine = `Trust anchor for card verifiers: ${anchor} (also at /api/credentials/trust-anchor)`;
    const smsFile = path.join(dir, 'sms-outbox.log');
    expect(second.smsSinkFile).toBe(smsFile);
    expect(secondLines.slice(1)).toEqual([
      anchorLine,
      `Text messages (citizen sign-in codes) are written to ${smsFile} in development.`,
    ]);
    expect(existsSync(smsFile)).toBe(true);

    // Production prints the anchor too, but never delivers text messages to a file.
    rmSync(smsFile);
    const production = await startServer({
      config: configIn(dir, { AMPARO_ENV: 'production' }),
      mode: 'serve',
      say: () => undefined,
    });
    await production.close();
    expect(production.smsSinkFile).toBeNull();
    expect(
      servingLines({
        config: configIn(dir, { AMPARO_ENV: 'production' }),
        mode: 'serve',
        server: production,
        readySeconds: 1,
      }).slice(1),
    ).toEqual([anchorLine]);
    expect(existsSync(smsFile)).toBe(false);
  }, 120_000);

  it('stops on a port in use before creating anything', async () => {
    const { server, port } = await occupiedPort();
    const dir = path.join(scratch, 'busy');
    try {
      const attempt = startServer({
        config: configIn(dir, { PORT: String(port) }),
        mode: 'start',
        say: () => undefined,
      });
      await expect(attempt).rejects.toThrow(ConfigError);
      await expect(attempt).rejects.toThrow(
        new RegExp(`PORT: ${port} on 127.0.0.1 is already in use`),
      );
    } finally {
      server.close();
    }
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses a world-readable key file and creates no database', async () => {
    const dir = path.join(scratch, 'loose-keys');
    const { initKeys } = await import('./platform/crypto/key-store.js');
    initKeys(path.join(dir, 'keys'));
    chmodSync(path.join(dir, 'keys', 'audit-signing.pem'), 0o644);
    const attempt = startServer({ config: configIn(dir), mode: 'start', say: () => undefined });
    await expect(attempt).rejects.toThrow(/audit-signing\.pem has mode 644/);
    expect(existsSync(path.join(dir, 'db'))).toBe(false);
  });

  it('prints one clear line and exits non-zero for a bad setting', () => {
    // The command people run; AMPARO_WEB_DIR only spares it building the console first.
    const result = spawnSync(process.execPath, ['bin/amparo.js', 'start'], {
      env: {
        ...process.env,
        DATABASE_URL: 'mysql://nobody@host/db',
        AMPARO_DATA_DIR: path.join(scratch, 'bad-url'),
        AMPARO_WEB_DIR: scratch,
      },
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      'amparo: DATABASE_URL: has protocol "mysql:" (expected postgres:)',
    ]);
    expect(existsSync(path.join(scratch, 'bad-url'))).toBe(false);
  });
});
