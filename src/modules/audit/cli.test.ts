import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import { initKeys, loadKeyStore } from '../../platform/crypto/key-store.js';
import {
  closePglite,
  kyselyOverPglite,
  openPglite,
  switchToAppRole,
} from '../../platform/db/database.js';
import { migrateUp } from '../../platform/db/migrator.js';
import { AuditLog } from './audit-log.js';
import { buildAuditEntry } from './audit-test-support.js';
import { registerAuditCommands } from './cli.js';

describe('amparo audit verify / sign', () => {
  let database: TestDatabase;
  let workDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'amparo-audit-cli-'));
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
    await withCommandDatabase(async (db) => {
      const keys = loadKeyStore(env.AMPARO_KEYS_DIR!);
      const auditLog = await AuditLog.open({ db, keys });
      await Promise.all(Array.from({ length: 12 }, () => auditLog.append(buildAuditEntry())));
      await auditLog.close();
    });
  });
  afterAll(async () => {
    await database?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  /** The database the command will open, as the application role. */
  async function withCommandDatabase(
    work: (db: TestDatabase['db']) => Promise<void>,
  ): Promise<void> {
    if (env.DATABASE_URL) return work(database.db);
    const pglite = await openPglite(env.AMPARO_DB_DIR!);
    const db = kyselyOverPglite(pglite);
    await switchToAppRole(db);
    try {
      await work(db);
    } finally {
      await closePglite(db, pglite);
    }
  }

  async function run(...args: string[]): Promise<{ output: string; exitCode: number }> {
    let output = '';
    let exitCode = 0;
    const program = new Command('amparo').exitOverride();
    registerAuditCommands(program, {
      env,
      write: (text) => {
        output += text;
      },
      setExitCode: (code) => {
        exitCode = code;
      },
      progress: false,
    });
    await program.parseAsync(['node', 'amparo', ...args]);
    return { output, exitCode };
  }

  it('signs a head, verifies the log, and fails naming the first edited entry', async () => {
    const signed = await run('audit', 'sign', '--json');
    expect(JSON.parse(signed.output)).toMatchObject({ treeSize: 12 });

    const intact = await run('audit', 'verify', '--json');
    expect(intact.exitCode).toBe(0);
    expect(JSON.parse(intact.output)).toMatchObject({
      ok: true,
      entriesChecked: 13,
      treeHeadsChecked: 1,
    });

    const edit = sql`update audit_entry set entry = replace(entry, 'eligibility_review', 'appeal') where leaf_index in (4, 9)`;
    if (env.DATABASE_URL) await database.asAdmin((admin) => edit.execute(admin));
    else {
      await withCommandDatabase(async (db) => {
        await sql`reset role`.execute(db);
        await edit.execute(db);
      });
    }
    const tampered = await run('audit', 'verify');
    expect(tampered.exitCode).toBe(1);
    expect(tampered.output).toContain('entry_edited at entry 4');
  });
});
