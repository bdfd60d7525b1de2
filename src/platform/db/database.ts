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
 * The same value types on both dialects (docs/DATABASE.md, `value-types.test.ts`): int8 as
 * bigint (exact counts and money), `date` as its ISO text (a calendar date has no time zone),
 * numeric and interval as text (exact), bytea as a Node `Buffer`, and arrays of these as
 * arrays of the same. `pg` and PGlite disagree on each of these by default (PGlite hands
 * bytea over as a bare Uint8Array, whose `toString('hex')` is not hex; `pg` parses int8[]
 * to strings and date[] to Dates), so both are told.
 */
const OID = {
  bytea: 17,
  int8: 20,
  numeric: 1700,
  date: 1082,
  interval: 1186,
  textArray: 1009,
  int8Array: 1016,
  numericArray: 1231,
  dateArray: 1182,
  intervalArray: 1187,
} as const;

const parseInt8 = (value: string): bigint => BigInt(value);
const keepText = (value: string): string => value;
/** PGlite hands parsers the text form of bytea, `\x` followed by hex digits. */
const parseByteaHex = (value: string): Buffer => Buffer.from(value.slice(2), 'hex');

// pg's TypeId enum lists no array types, but its parser table has them; a number is accepted.
const textArrayOid: number = OID.textArray;
// Safe: pg's parser for text[] takes the array literal and returns its elements as strings
// (or null), which is what these element types keep as text.
const parseTextArray = pg.types.getTypeParser(textArrayOid) as (
  value: string,
) => Array<string | null>;
const parseInt8Array = (value: string): Array<bigint | null> =>
  parseTextArray(value).map((element) => (element === null ? null : BigInt(element)));

function pgTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === OID.int8) return parseInt8;
  if (oid === OID.numeric || oid === OID.date || oid === OID.interval) return keepText;
  if (oid === OID.int8Array) return parseInt8Array;
  if (oid === OID.numericArray || oid === OID.dateArray || oid === OID.intervalArray) {
    return parseTextArray;
  }
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
  // A connection the server drops while it is checked out (a transaction between statements)
  // emits `error` on the client, where the pool does not listen: without this the process
  // ended when PostgreSQL restarted under load (bench/distribution-crash.ts). The query under
  // way is rejected all the same, and the pool discards the client when it is released.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return pool;
}

/**
 * Opens PGlite at `dataDir` (or `memory://` for a throwaway instance), optionally starting
 * from a data directory dumped by `dumpDataDir` (tests start from a migrated template). It
 * starts as the database superuser; call `switchToAppRole` after migrating.
 */
export async function openPglite(dataDir: string, loadDataDir?: Blob): Promise<PGlite> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const pglite = new PGlite(dataDir, {
    ...(loadDataDir ? { loadDataDir } : {}),
    // PGlite applies an element type's parser to the elements of its arrays too.
    parsers: {
      [OID.int8]: parseInt8,
      [OID.numeric]: keepText,
      [OID.date]: keepText,
      [OID.interval]: keepText,
      [OID.bytea]: parseByteaHex,
    },
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
