import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import {
  closePglite,
  createPostgresPool,
  kyselyOverPglite,
  kyselyOverPool,
  openPglite,
} from '../src/platform/db/database.js';
import { migrateUp, migrationsDir } from '../src/platform/db/migrator.js';
import { withOnlyWalSegment } from './pglite-template-wal.js';
import {
  dropDeadRunDatabases,
  prunePgliteTemplates,
  runTag,
  templateTouched,
} from './run-leftovers.js';

/**
 * Decides once per run where test databases live: the PostgreSQL at TEST_DATABASE_URL, or
 * in-memory PGlite when no server is reachable or AMPARO_TEST_DATABASE=pglite asks for it.
 * With CI=true an unreachable server fails the run (unless PGlite was asked for), because CI
 * must prove the code against real PostgreSQL. Either way the migrations run once here, into a
 * template every test database is copied from; the run's directory (the PGlite template, the
 * console the browser tests build) and the PostgreSQL template are removed at the end. A run
 * killed before its end leaves its databases: the next run drops those of runs proved dead
 * (test/run-leftovers.ts), and keeps the PGlite template cache to the few used last.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const forced = process.env.AMPARO_TEST_DATABASE;
  if (forced !== undefined && forced !== 'pglite' && forced !== 'postgres') {
    throw new Error(`AMPARO_TEST_DATABASE must be pglite or postgres, not ${forced}`);
  }
  const runDir = mkdtempSync(path.join(tmpdir(), 'amparo-test-run-'));
  const removeRunDir = async () => rmSync(runDir, { recursive: true, force: true });
  project.provide('consoleBuildDir', runDir);
  // The embedded database is what `npm start` runs: CI runs the API and console tests on it
  // too (AMPARO_TEST_DATABASE=pglite), so a difference between the dialects fails CI.
  if (forced === 'pglite') {
    project.provide('testDatabase', {
      kind: 'pglite',
      url,
      pgliteTemplatePath: await pgliteTemplate(),
    });
    return removeRunDir;
  }
  const reachable = await canConnect(url);
  if (!reachable && (process.env.CI === 'true' || forced === 'postgres')) {
    throw new Error(
      `PostgreSQL at TEST_DATABASE_URL (${redactUrl(url)}) is not reachable and CI=true or ` +
        'AMPARO_TEST_DATABASE=postgres asks for it. ' +
        'Start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set TEST_DATABASE_URL.',
    );
  }
  if (!reachable) {
    console.warn(`PostgreSQL at ${redactUrl(url)} is not reachable: tests fall back to PGlite.`);
    project.provide('testDatabase', {
      kind: 'pglite',
      url,
      pgliteTemplatePath: await pgliteTemplate(),
    });
    return removeRunDir;
  }
  // The few files that also run on PGlite in this run (createTestDatabase('pglite')) start
  // from a template too: without one each paid initdb and every migration (about 10 s of CPU).
  // The run's databases are named after it (pid and start time), so that when it is killed a
  // later run can tell it is gone and drop them; without /proc, named as before and left.
  const tag = runTag() ?? `${Date.now()}_${randomBytes(4).toString('hex')}`;
  await dropDeadRunsDatabases(url);
  const [template, pgliteTemplatePath] = await Promise.all([
    postgresTemplate(url, `amparo_template_${tag}`),
    pgliteTemplate(),
  ]);
  const databasePrefix = `amparo_test_${tag}`;
  project.provide('testDatabase', {
    kind: 'postgres',
    url,
    postgresTemplate: template.name,
    databasePrefix,
    pgliteTemplatePath,
  });
  return async () => {
    await dropTestDatabases(url, databasePrefix);
    await template.drop();
    await removeRunDir();
  };
}

/**
 * A migrated embedded database, dumped to a file that every PGlite test database starts from
 * (about three times faster than initdb plus the migrations). The file is kept between runs
 * under node_modules/.cache, named by a digest of what makes it (the migrations, the code
 * that opens and migrates PGlite, PGlite's version): CI's embedded run reuses the one its
 * PostgreSQL run made (13 s of set-up, before any test starts), as does every targeted run
 * after the first. A changed migration names a new file; `migrateUp` on each test database
 * still checks every applied migration against its file.
 */
async function pgliteTemplate(): Promise<string> {
  const cacheDir = fileURLToPath(new URL('../node_modules/.cache/amparo-test/', import.meta.url));
  const file = path.join(cacheDir, `pglite-template-${pgliteTemplateDigest()}.tar`);
  // Touched as used now before the others are pruned: a concurrent pruning leaves it.
  if (existsSync(file) && templateTouched(file)) {
    prunePgliteTemplates(cacheDir, Date.now());
    return file;
  }
  const pglite = await openPglite('memory://');
  const db = kyselyOverPglite(pglite);
  try {
    await migrateUp(db);
    // template0 and template1 are two fifths of the dump's files, and nothing creates a
    // database on PGlite: without them each test database opens with about a fifth less CPU
    // (1.0-1.1 s against 1.25-1.3 s a file under load 14, 2026-12-06).
    for (const name of ['template0', 'template1']) {
      await sql`alter database ${sql.id(name)} is_template false`.execute(db);
      await sql`drop database ${sql.id(name)}`.execute(db);
    }
    // The log from here on in one fresh segment, which is all the template keeps of it.
    await sql`select pg_switch_wal()`.execute(db);
    await sql`checkpoint`.execute(db);
    const { rows } = await sql<{
      segment: string;
    }>`select pg_walfile_name(pg_current_wal_lsn()) as segment`.execute(db);
    const dump = await pglite.dumpDataDir('none');
    const slim = withOnlyWalSegment(
      Buffer.from(await dump.arrayBuffer()),
      String(rows[0]?.segment),
    );
    await expectOpens(slim);
    mkdirSync(cacheDir, { recursive: true });
    // Written aside and renamed: a run started meanwhile never reads half a file.
    const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(partial, slim);
    renameSync(partial, file);
    prunePgliteTemplates(cacheDir, Date.now());
    return file;
  } finally {
    await closePglite(db, pglite);
  }
}

/** The slimmed template opens, and a write on it is logged and checkpointed. */
async function expectOpens(template: Buffer): Promise<void> {
  const pglite = await openPglite('memory://', new Blob([template]));
  const db = kyselyOverPglite(pglite);
  try {
    await sql`create temporary table wal_check as select generate_series(1, 1000) as n`.execute(db);
    await sql`checkpoint`.execute(db);
  } finally {
    await closePglite(db, pglite);
  }
}

function pgliteTemplateDigest(): string {
  const hash = createHash('sha256');
  const inputs = [
    ...readdirSync(migrationsDir)
      .sort()
      .map((name) => path.join(migrationsDir, name)),
    fileURLToPath(new URL('../src/platform/db/migrator.ts', import.meta.url)),
    fileURLToPath(new URL('../src/platform/db/database.ts', import.meta.url)),
    // How the template is made (above).
    fileURLToPath(import.meta.url),
    fileURLToPath(new URL('./pglite-template-wal.ts', import.meta.url)),
    fileURLToPath(new URL('../node_modules/@electric-sql/pglite/package.json', import.meta.url)),
  ];
  for (const input of inputs) hash.update(path.basename(input)).update(readFileSync(input));
  return hash.digest('hex').slice(0, 16);
}

/**
 * A migrated PostgreSQL database that every test database is created from
 * (`create database … template …`, a file copy) instead of running every migration again.
 * Nothing stays connected to it: PostgreSQL copies only a database nobody is using.
 */
async function postgresTemplate(
  serverUrl: string,
  name: string,
): Promise<{ name: string; drop(): Promise<void> }> {
  const server = kyselyOverPool(createPostgresPool(serverUrl, 1));
  await sql`create database ${sql.id(name)}`.execute(server);
  const parsed = new URL(serverUrl);
  parsed.pathname = `/${name}`;
  const template = kyselyOverPool(createPostgresPool(parsed.toString(), 1));
  try {
    await migrateUp(template);
  } finally {
    await template.destroy();
  }
  return {
    name,
    async drop() {
      await sql`drop database if exists ${sql.id(name)} with (force)`.execute(server);
      await server.destroy();
    },
  };
}

/**
 * Drops the databases of earlier runs killed before their end (a live run's are never touched:
 * test/run-leftovers.ts says how a run is proved dead), and says which.
 */
async function dropDeadRunsDatabases(serverUrl: string): Promise<void> {
  const server = kyselyOverPool(createPostgresPool(serverUrl, 4));
  try {
    const dropped = await dropDeadRunDatabases(server);
    if (dropped.length > 0) {
      console.warn(`Dropped ${dropped.length} databases of test runs no longer alive.`);
    }
  } finally {
    await server.destroy();
  }
}

/**
 * Drops the run's test databases (test/db.ts leaves them to this): a dropped database costs
 * PostgreSQL a checkpoint, which the file's worker waited for (0.5–3.5 s a file, measured).
 * Here they go after the last test, `dropsAtOnce` at a time: the drops waiting when a checkpoint
 * starts share it, so the fewer rounds, the fewer checkpoints. Four at a time, the 22 databases
 * of 30 files took 11.4-23.6 s; 16 at a time 5.5-7.0 s; all 22 at once 0.8 s (2026-12-06,
 * alternated, load 7-10). CI's PostgreSQL run leaves one for nearly each of its files, and the
 * embedded run starts only once they are gone.
 */
async function dropTestDatabases(serverUrl: string, prefix: string): Promise<void> {
  const server = kyselyOverPool(createPostgresPool(serverUrl, dropsAtOnce));
  try {
    const { rows } = await sql<{ datname: string }>`
      select datname from pg_database where starts_with(datname, ${`${prefix}_`})`.execute(server);
    const names = rows.map((row) => row.datname);
    const dropNext = async (): Promise<void> => {
      const name = names.pop();
      if (name === undefined) return;
      await sql`drop database if exists ${sql.id(name)} with (force)`.execute(server);
      return dropNext();
    };
    await Promise.all(Array.from({ length: dropsAtOnce }, () => dropNext()));
  } finally {
    await server.destroy();
  }
}

/**
 * Connections dropping databases together at the run's end (`dropTestDatabases`): well under
 * PostgreSQL's default max_connections (100), with the tests' own connections closed by then.
 */
const dropsAtOnce = 32;

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabase: {
      kind: 'postgres' | 'pglite';
      url: string;
      /** The migrated database every PostgreSQL test database is copied from. */
      postgresTemplate?: string;
      /**
       * Names every test database of the run starts with, when the run drops them at its end
       * (test/db.ts); without it each test database is dropped when its file closes it.
       */
      databasePrefix?: string;
      /** The migrated PGlite data directory (a tar) every embedded test database loads. */
      pgliteTemplatePath?: string;
    };
    /** Where the browser tests' console is built, once per run (test/e2e/console-server.ts). */
    consoleBuildDir: string;
  }
}
