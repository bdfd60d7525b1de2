import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { verify } from '@node-rs/argon2';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import { initKeys } from '../../platform/crypto/key-store.js';
import { closePglite, kyselyOverPglite, openPglite } from '../../platform/db/database.js';
import { migrateUp } from '../../platform/db/migrator.js';
import { registerOperatorCommands } from './operators-cli.js';

describe('amparo operators create / change', () => {
  let database: TestDatabase;
  let workDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'amparo-operators-cli-'));
    initKeys(path.join(workDir, 'keys'));
    database = await createTestDatabase();
    env = { AMPARO_KEYS_DIR: path.join(workDir, 'keys'), AMPARO_DATA_DIR: workDir };
    if (database.config?.kind === 'postgres') {
      env.DATABASE_URL = database.config.url;
    } else {
      // In-memory PGlite cannot be shared with the command: use an on-disk one instead.
      env.AMPARO_DB_DIR = path.join(workDir, 'db');
      const pglite = await openPglite(env.AMPARO_DB_DIR);
      const db = kyselyOverPglite(pglite);
      await migrateUp(db);
      await closePglite(db, pglite);
    }
  });
  afterAll(async () => {
    await database?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  async function run(...args: string[]): Promise<{ output: string; exitCode: number }> {
    let output = '';
    let exitCode = 0;
    const program = new Command('amparo').exitOverride();
    registerOperatorCommands(program, {
      env,
      write: (text) => {
        output += text;
      },
      setExitCode: (code) => {
        exitCode = code;
      },
    });
    await program.parseAsync(['node', 'amparo', ...args]);
    return { output, exitCode };
  }

  it('creates the first administrator, prints the credentials once, and stores only their hash', async () => {
    const created = await run(
      'operators',
      'create',
      '--username',
      'first.admin',
      '--name',
      'Primera Administradora',
      '--roles',
      'administrator',
      '--regions',
      'VE-A,VE-M',
      '--json',
    );
    expect(created.exitCode).toBe(0);
    const { operator, credentials } = JSON.parse(created.output);
    expect(operator).toMatchObject({ username: 'first.admin', regions: ['VE-A', 'VE-M'] });
    expect(credentials.totpSecretBase32).toMatch(/^[A-Z2-7]{32}$/);
    if (!env.DATABASE_URL) return;
    const stored = await database.db
      .selectFrom('operator')
      .select('password_hash')
      .where('username', '=', 'first.admin')
      .executeTakeFirstOrThrow();
    expect(await verify(stored.password_hash, credentials.password)).toBe(true);
    const audited = await database.db
      .selectFrom('audit_entry')
      .select('entry')
      .where('action', '=', 'operator.manage')
      .execute();
    expect(audited.map((row) => JSON.parse(row.entry).actor)).toEqual([
      { kind: 'system', id: 'cli:operators', role: null, region: null },
    ]);
  });

  it('refuses unknown roles and the last administrator, with a message and exit code 1', async () => {
    const unknown = await run(
      'operators',
      'create',
      '--username',
      'x.y',
      '--name',
      'X',
      '--roles',
      'commissar',
      '--regions',
      'VE-A',
    );
    expect(unknown.exitCode).toBe(1);
    expect(unknown.output).toContain('Unknown roles: commissar');
    const last = await run('operators', 'change', 'first.admin', '--disable');
    expect(last.exitCode).toBe(1);
    expect(last.output).toContain('last active administrator');
    const reset = await run('operators', 'change', 'first.admin', '--reset-credentials');
    expect(reset.exitCode).toBe(0);
    expect(reset.output).toContain('TOTP secret:');
  });
});
