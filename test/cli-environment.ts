import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initKeys } from '../src/platform/crypto/key-store.js';
import {
  closePglite,
  kyselyOverPglite,
  openPglite,
  switchToAppRole,
} from '../src/platform/db/database.js';
import { migrateUp } from '../src/platform/db/migrator.js';
import { createTestDatabase, pgliteTemplateBlob, type TestDatabase } from './db.js';

/**
 * What a test of an `amparo` command needs: a key directory, a migrated database the command
 * can open from its environment (the test's PostgreSQL database, or an on-disk PGlite when
 * PostgreSQL is unreachable, since an in-memory one cannot be shared), and a way for the test
 * to use the same database as the application role.
 *
 * @example
 *   const cli = await createCliEnvironment('amparo-operators-cli-');
 *   registerOperatorCommands(program, { env: cli.env, … });
 *   await cli.withCommandDatabase((db) => db.selectFrom('operator').selectAll().execute());
 *   await cli.close();
 */
export interface CliEnvironment {
  /** Keys, database and data directory for the command (`MIGRATION_DATABASE_URL` too). */
  env: NodeJS.ProcessEnv;
  /** A scratch directory removed by `close` (keys live in `keys/` below it). */
  workDir: string;
  database: TestDatabase;
  /** Runs `work` on the database the command opens, as the application role. */
  withCommandDatabase<T>(work: (db: TestDatabase['db']) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function createCliEnvironment(prefix: string): Promise<CliEnvironment> {
  const workDir = mkdtempSync(path.join(tmpdir(), prefix));
  const keysDir = path.join(workDir, 'keys');
  initKeys(keysDir);
  const database = await createTestDatabase();
  const env: NodeJS.ProcessEnv = { AMPARO_KEYS_DIR: keysDir, AMPARO_DATA_DIR: workDir };
  if (database.config?.kind === 'postgres') {
    env.DATABASE_URL = database.config.url;
    env.MIGRATION_DATABASE_URL = database.config.migrationUrl;
  } else {
    env.AMPARO_DB_DIR = path.join(workDir, 'db');
    // The commands' database on disk starts from the migrated template (about 10 s of CPU
    // less than initdb and every migration); `migrateUp` then finds nothing to apply.
    const pglite = await openPglite(env.AMPARO_DB_DIR, pgliteTemplateBlob());
    const db = kyselyOverPglite(pglite);
    await migrateUp(db);
    await closePglite(db, pglite);
  }
  return {
    env,
    workDir,
    database,
    async withCommandDatabase(work) {
      if (env.DATABASE_URL) return work(database.db);
      const pglite = await openPglite(env.AMPARO_DB_DIR ?? '');
      const db = kyselyOverPglite(pglite);
      await switchToAppRole(db);
      try {
        return await work(db);
      } finally {
        await closePglite(db, pglite);
      }
    },
    async close() {
      await database.close();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Runs `amparo <args>` as people run it (`bin/amparo.js`, a process of its own) with the
 * environment given, and answers its exit code and what it printed.
 *
 * @example
 *   const { code, stdout } = await runAmparo(cli.env, ['ledger', 'verify', '--json']);
 */
export function runAmparo(
  env: NodeJS.ProcessEnv,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/amparo.js', ...args], {
      cwd: repositoryRoot,
      env: { ...env, PATH: process.env.PATH, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
