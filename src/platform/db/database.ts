import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../../config.js';
import { limits } from '../../limits.js';
import { ConfigError } from '../errors.js';
import { PgliteKyselyPool } from './pglite-pool.js';
import type { Database } from './schema.js';

/** The least-privilege role the server runs as, on PostgreSQL and on PGlite alike. */
export const appRole = 'amparo_app';

export type DatabaseKind = 'postgres' | 'pglite';

/** An open database. `close()` must be called, or Node will not exit (PGlite, pg pools). */
export interface DatabaseHandle {
  kind: DatabaseKind;
  db: Kysely<Database>;
  close(): Promise<void>;
}

/**
 * The same value types on both dialects: int8 as bigint (exact counts and money), `date` as
 * its ISO text (a calendar date has no time zone), numeric as text (exact).
 */
const OID = { int8: 20, numeric: 1700, date: 1082 } as const;

const parseInt8 = (value: string): bigint => BigInt(value);
const keepText = (value: string): string => value;

function pgTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === OID.int8) return parseInt8;
  if (oid === OID.numeric || oid === OID.date) return keepText;
  return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid);
}

/** A `pg` pool for the given URL, with Amparo's value parsers and time limits. */
export function createPostgresPool(
  url: string,
  connectionsMax: number = limits.database.poolConnectionsMax,
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: connectionsMax,
    connectionTimeoutMillis: limits.database.connectTimeoutMs,
    statement_timeout: limits.database.statementTimeoutMs,
    application_name: 'amparo',
    // Safe: pgTypeParser returns a parser for every oid, which is all pg asks of it.
    types: { getTypeParser: pgTypeParser as pg.CustomTypesConfig['getTypeParser'] },
  });
  // An idle connection that the server drops (restart, failover) emits `error` on the pool;
  // without a listener that would crash the process. The pool discards the client and the
  // next query connects afresh; /readyz reports a database that stays away.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Opens PGlite at `dataDir` (or `memory://` for a throwaway instance). It starts as the
 * database superuser; call `switchToAppRole` after migrating.
 */
export async function openPglite(dataDir: string): Promise<PGlite> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const pglite = new PGlite(dataDir, {
    parsers: { [OID.int8]: parseInt8, [OID.numeric]: keepText, [OID.date]: keepText },
  });
  await pglite.waitReady;
  return pglite;
}

export function kyselyOverPglite(pglite: PGlite): Kysely<Database> {
  return new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new PgliteKyselyPool(pglite) }),
  });
}

export function kyselyOverPool(pool: pg.Pool): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Drops the embedded connection to the application role for the rest of its life, so the
 * embedded server has exactly the privileges it has on PostgreSQL.
 */
export async function switchToAppRole(db: Kysely<Database>): Promise<void> {
  await sql`set role ${sql.id(appRole)}`.execute(db);
}

/**
 * Opens the database as the application role. On PostgreSQL that is the `DATABASE_URL`
 * login; on PGlite the superuser connection is dropped to the role.
 */
export async function openAppDatabase(config: DatabaseConfig): Promise<DatabaseHandle> {
  if (config.kind === 'postgres') {
    const pool = createPostgresPool(config.url);
    const db = kyselyOverPool(pool);
    await checkReachable(db, 'DATABASE_URL');
    return { kind: 'postgres', db, close: () => db.destroy() };
  }
  const pglite = await openPglite(config.dataDir);
  const db = kyselyOverPglite(pglite);
  await switchToAppRole(db);
  return { kind: 'pglite', db, close: () => closePglite(db, pglite) };
}

export async function closePglite(db: Kysely<Database>, pglite: PGlite): Promise<void> {
  await db.destroy();
  if (!pglite.closed) await pglite.close();
}

export async function checkReachable(db: Kysely<Database>, setting: string): Promise<void> {
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(setting, `cannot connect to PostgreSQL (${reason})`);
  }
}
