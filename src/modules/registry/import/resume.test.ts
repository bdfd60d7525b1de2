import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, pgliteTemplateBlob, type TestDatabase } from '../../../../test/db.js';
import { initKeys } from '../../../platform/crypto/key-store.js';
import { closePglite, kyselyOverPglite, openPglite } from '../../../platform/db/database.js';
import { migrateUp } from '../../../platform/db/migrator.js';
import type { Database } from '../../../platform/db/schema.js';
import {
  buildFaultyPopulation,
  readErrorFile,
  registryCounts,
  writeText,
} from './import-test-kit.js';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * The import is killed with SIGKILL in the middle (after it reported committed persons) and
 * run again: every valid row must end up imported exactly once and every invalid row listed
 * exactly once in the error file.
 */
describe('amparo import persons: resume after SIGKILL', () => {
  let database: TestDatabase;
  let workDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'amparo-import-resume-'));
    initKeys(path.join(workDir, 'keys'));
    database = await createTestDatabase();
    env = {
      PATH: process.env.PATH,
      AMPARO_KEYS_DIR: path.join(workDir, 'keys'),
      AMPARO_DATA_DIR: workDir,
      LOG_LEVEL: 'silent',
    };
    if (database.config?.kind === 'postgres') {
      env.DATABASE_URL = database.config.url;
      env.MIGRATION_DATABASE_URL = database.config.migrationUrl;
    } else {
      // In-memory PGlite cannot be shared with a child process: use one on disk.
      env.AMPARO_DB_DIR = path.join(workDir, 'db');
      const pglite = await openPglite(env.AMPARO_DB_DIR, pgliteTemplateBlob());
      const db = kyselyOverPglite(pglite);
      await migrateUp(db);
      await closePglite(db, pglite);
    }
  });
  afterAll(async () => {
    await database?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  /** The database the command writes to, read as the application role. */
  async function withCommandDatabase<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    if (env.DATABASE_URL) return work(database.db);
    const pglite = await openPglite(env.AMPARO_DB_DIR ?? '');
    const db = kyselyOverPglite(pglite);
    try {
      return await work(db);
    } finally {
      await closePglite(db, pglite);
    }
  }

  function startImport(file: string): ChildProcess {
    return spawn(
      process.execPath,
      [
        'bin/amparo.js',
        'import',
        'persons',
        file,
        '--batch-persons',
        '20',
        '--progress-every',
        '20',
      ],
      { cwd: repositoryRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
  }

  it('imports every valid row exactly once across a kill and a second run', async () => {
    const population = buildFaultyPopulation(2500);
    const file = writeText(path.join(workDir, 'people.csv'), population.csv);

    const first = startImport(file);
    let stderr = '';
    const killed = new Promise<void>((resolve) => {
      first.stderr?.on('data', (data: Buffer) => {
        stderr += data.toString();
        // Killed once a report shows committed persons: the job is mid-way.
        if (/ [1-9]\d* persons written/.test(stderr) && first.exitCode === null)
          first.kill('SIGKILL');
      });
      first.on('exit', () => resolve());
    });
    await killed;
    expect(first.signalCode).toBe('SIGKILL');
    const interrupted = await withCommandDatabase(async (db) => ({
      job: await db.selectFrom('import_job').select(['status']).executeTakeFirstOrThrow(),
      counts: await registryCounts(db),
    }));
    const validRows = population.rows - population.invalidLines.size;
    expect(interrupted.job.status).toBe('running');
    expect(interrupted.counts.persons).toBeGreaterThan(0);
    expect(interrupted.counts.persons).toBeLessThan(validRows);

    const second = startImport(file);
    const exitCode = await new Promise<number | null>((resolve) => second.on('exit', resolve));
    expect(exitCode).toBe(3); // finished, with refused rows

    await withCommandDatabase(async (db) => {
      const counts = await registryCounts(db);
      expect(counts.persons).toBe(validRows);
      expect(counts.importRows).toBe(validRows);
      const lines = await sql<{ distinct_lines: number; distinct_persons: number }>`
        select count(distinct line)::int as distinct_lines, count(distinct person_id)::int as distinct_persons
          from import_row`.execute(db);
      expect(lines.rows[0]).toEqual({ distinct_lines: validRows, distinct_persons: validRows });
      const job = await db
        .selectFrom('import_job')
        .select(['status', 'rows_invalid'])
        .executeTakeFirstOrThrow();
      expect(job).toEqual({ status: 'finished', rows_invalid: population.invalidLines.size });
    });
    const errors = readErrorFile(`${file}.errors.csv`);
    expect(new Set(errors.map((error) => error.line))).toEqual(population.invalidLines);
    const keys = errors.map((error) => `${error.line}/${error.field}`);
    expect(new Set(keys).size).toBe(keys.length);
  }, 120_000); // two command starts (tsx compiles the CLI) on a shared two-core machine
});
