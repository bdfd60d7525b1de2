import pg from 'pg';
import type { TestProject } from 'vitest/node';

/**
 * Decides once per run where test databases live: the PostgreSQL at TEST_DATABASE_URL, or
 * in-memory PGlite when no server is reachable. With CI=true an unreachable server fails the
 * run, because CI must prove the code against real PostgreSQL.
 */
export default async function setup(project: TestProject): Promise<void> {
  const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const reachable = await canConnect(url);
  if (!reachable && process.env.CI === 'true') {
    throw new Error(
      `CI=true but PostgreSQL at TEST_DATABASE_URL (${redactUrl(url)}) is not reachable. ` +
        'Start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set TEST_DATABASE_URL.',
    );
  }
  if (!reachable) {
    console.warn(`PostgreSQL at ${redactUrl(url)} is not reachable: tests fall back to PGlite.`);
  }
  project.provide('testDatabase', { kind: reachable ? 'postgres' : 'pglite', url });
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
    testDatabase: { kind: 'postgres' | 'pglite'; url: string };
  }
}
