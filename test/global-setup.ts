import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { closePglite, kyselyOverPglite, openPglite } from '../src/platform/db/database.js';
import { migrateUp } from '../src/platform/db/migrator.js';

/**
 * Decides once per run where test databases live: the PostgreSQL at TEST_DATABASE_URL, or
 * in-memory PGlite when no server is reachable or AMPARO_TEST_DATABASE=pglite asks for it.
 * With CI=true an unreachable server fails the run (unless PGlite was asked for), because CI
 * must prove the code against real PostgreSQL.
 */
export default async function setup(project: TestProject): Promise<void> {
  const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const forced = process.env.AMPARO_TEST_DATABASE;
  if (forced !== undefined && forced !== 'pglite' && forced !== 'postgres') {
    throw new Error(`AMPARO_TEST_DATABASE must be pglite or postgres, not ${forced}`);
  }
  // The embedded database is what `npm start` runs: CI runs the API and console tests on it
  // too (AMPARO_TEST_DATABASE=pglite), so a difference between the dialects fails CI.
  if (forced === 'pglite') {
    project.provide('testDatabase', {
      kind: 'pglite',
      url,
      pgliteTemplatePath: await pgliteTemplate(),
    });
    return;
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
    return;
  }
  project.provide('testDatabase', { kind: 'postgres', url });
}

/**
 * A migrated embedded database, dumped once per run to a temporary file that every PGlite
 * test database starts from (about three times faster than initdb plus the migrations).
 */
async function pgliteTemplate(): Promise<string> {
  const pglite = await openPglite('memory://');
  const db = kyselyOverPglite(pglite);
  try {
    await migrateUp(db);
    const dump = await pglite.dumpDataDir('none');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'amparo-pglite-')), 'template.tar');
    writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
    return file;
  } finally {
    await closePglite(db, pglite);
  }
}

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
    testDatabase: { kind: 'postgres' | 'pglite'; url: string; pgliteTemplatePath?: string };
  }
}
