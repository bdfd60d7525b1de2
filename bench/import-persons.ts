import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { AuditLog } from '../src/modules/audit/audit-log.js';
import { writePopulation } from '../src/modules/demo/write-population.js';
import { personImporter } from '../src/modules/registry/import/person-importer.js';
import { inspectImportFile } from '../src/modules/registry/import/source-file.js';
import { kidOf } from '../src/platform/crypto/key-store.js';
import { appRole, createPostgresPool, kyselyOverPool } from '../src/platform/db/database.js';
import { migrateUp } from '../src/platform/db/migrator.js';

/**
 * `npm run bench -- import-persons [persons=1000000] [runs=2]`: generates the persons with
 * the demo generator, imports them into a fresh PostgreSQL database (as the application
 * role, as `amparo import persons` does), then loads the same file with a plain `\copy` into
 * a table of 20 text columns, and reports both and their ratio. Each run uses a new
 * database; the best run is reported with the load average, since the machine is shared.
 * The import uses its defaults: one worker thread per core for a file this size.
 * PostgreSQL: TEST_DATABASE_URL (a superuser), default postgres://postgres@127.0.0.1:5432/postgres.
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const persons = Number(args[0] ?? 1_000_000);
  const runs = Number(args[1] ?? 2);
  const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const workDir = mkdtempSync(path.join(tmpdir(), 'amparo-bench-import-'));
  const file = path.join(workDir, 'persons.csv');
  try {
    const generated = await writePopulation({
      persons,
      seed: 'bench-import',
      duplicateShare: 0.05,
      referenceDate: '2026-01-01',
      out: file,
    });
    const results: RunResult[] = [];
    for (let index = 0; index < runs; index += 1) {
      results.push(await measureOnce(serverUrl, file, persons));
      process.stderr.write(`run ${index + 1}: ${JSON.stringify(results[results.length - 1])}\n`);
    }
    const best = results.reduce((a, b) => (b.importSeconds < a.importSeconds ? b : a));
    return {
      persons,
      fileBytes: generated.bytes,
      runs: results,
      bestImportSeconds: best.importSeconds,
      bestImportPersonsPerSecond: best.importPersonsPerSecond,
      bestCopySeconds: Math.min(...results.map((result) => result.copySeconds)),
      bestRatioImportToCopy: best.ratioImportToCopy,
      targetSeconds: 90,
    };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

interface RunResult {
  importSeconds: number;
  /** CPU of this process (main thread and import workers) during the import. */
  importProcessCpuSeconds: number;
  /** CPU of the import's PostgreSQL backends (its pool's connections; not autovacuum). */
  importBackendsCpuSeconds: number | null;
  importPersonsPerSecond: number;
  personsImported: number;
  rowsInvalid: number;
  copySeconds: number;
  ratioImportToCopy: number;
  loadAverageBefore: string;
  loadAverageAfter: string;
}

async function measureOnce(serverUrl: string, file: string, persons: number): Promise<RunResult> {
  const name = `amparo_bench_import_${randomBytes(4).toString('hex')}`;
  const server = kyselyOverPool(createPostgresPool(serverUrl, 1));
  await sql`create database ${sql.id(name)}`.execute(server);
  const adminUrl = withDatabase(serverUrl, name);
  const admin = kyselyOverPool(createPostgresPool(adminUrl, 1));
  try {
    await migrateUp(admin);
    const loadAverageBefore = loadAverage();
    const cpuBefore = process.cpuUsage();
    const imported = await importAsApp(withUser(adminUrl, appRole), file);
    const cpu = process.cpuUsage(cpuBefore);
    const copySeconds = await copyRaw(admin, adminUrl, file);
    const importSeconds = imported.durationMs / 1000;
    return {
      importSeconds: round(importSeconds),
      importProcessCpuSeconds: round((cpu.user + cpu.system) / 1e6),
      importBackendsCpuSeconds: imported.backendsCpuSeconds,
      importPersonsPerSecond: Math.round(imported.personsImported / importSeconds),
      personsImported: imported.personsImported,
      rowsInvalid: imported.rowsInvalid,
      copySeconds: round(copySeconds),
      ratioImportToCopy: round(importSeconds / copySeconds),
      loadAverageBefore,
      loadAverageAfter: loadAverage(),
    };
  } finally {
    await admin.destroy();
    await sql`drop database if exists ${sql.id(name)} with (force)`.execute(server);
    await server.destroy();
    void persons;
  }
}

async function importAsApp(appUrl: string, file: string) {
  const db = kyselyOverPool(createPostgresPool(appUrl, 4));
  const keys = { masterKey: randomBytes(32), auditSigning: signingKey() };
  const auditLog = await AuditLog.open({ db, keys });
  try {
    const outcome = await personImporter({
      db,
      databaseKind: 'postgres',
      masterKey: keys.masterKey,
      audit: auditLog,
      facts: await inspectImportFile(file),
      errorFilePath: `${file}.errors.csv`,
      onProgress: (p) => {
        if (process.stderr.isTTY) {
          process.stderr.write(
            `\r${p.linesRead}/${p.linesTotal} lines, ${p.personsWritten} persons`,
          );
        }
      },
    });
    return { ...outcome, backendsCpuSeconds: await backendsCpuSeconds(db) };
  } finally {
    await auditLog.close();
    await db.destroy();
  }
}

/**
 * User and system CPU of the pool's backends so far, read from /proc (the server runs on this
 * machine); null when it cannot be read. The pool's connections live for the whole import.
 */
async function backendsCpuSeconds(db: ReturnType<typeof kyselyOverPool>): Promise<number | null> {
  const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity
    where datname = current_database() and usename = current_user`.execute(db);
  const ticksPerSecond = 100; // USER_HZ on Linux
  let ticks = 0;
  try {
    for (const { pid } of rows) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    }
  } catch {
    return null;
  }
  return round(ticks / ticksPerSecond);
}

/** The same rows through psql's \copy into a plain table without keys or indexes. */
async function copyRaw(
  admin: ReturnType<typeof kyselyOverPool>,
  adminUrl: string,
  file: string,
): Promise<number> {
  const header = readFileSync(file, 'utf8').slice(0, 2000).split('\r\n')[0] ?? '';
  const columns = header
    .split(',')
    .map((column) => `${column} text`)
    .join(', ');
  await sql.raw(`create table raw_import (${columns})`).execute(admin);
  const started = performance.now();
  execFileSync('psql', [
    adminUrl,
    '-v',
    'ON_ERROR_STOP=1',
    '-qc',
    `\\copy raw_import from '${file}' csv header`,
  ]);
  return (performance.now() - started) / 1000;
}

function signingKey() {
  const { privateKey } = generateKeyPairSync('ed25519');
  const publicKey = createPublicKey(privateKey);
  return { kid: kidOf(publicKey), privateKey, publicKey };
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').trim();
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function withUser(url: string, user: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = '';
  return parsed.toString();
}
