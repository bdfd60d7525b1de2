import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { inject } from 'vitest';
import type { DatabaseConfig } from '../src/config.js';
import {
  appRole,
  closePglite,
  createPostgresPool,
  type DatabaseHandle,
  kyselyOverPglite,
  kyselyOverPool,
  openPglite,
  switchToAppRole,
} from '../src/platform/db/database.js';
import { migrateUp } from '../src/platform/db/migrator.js';
import type { Database } from '../src/platform/db/schema.js';

/**
 * A throwaway, fully migrated database for one test file. `handle` connects as the
 * least-privilege application role, exactly like the server; `asAdmin` runs as the
 * superuser (to tamper with rows the way an attacker with database access would).
 */
export interface TestDatabase {
  kind: 'postgres' | 'pglite';
  handle: DatabaseHandle;
  db: Kysely<Database>;
  /** Connection settings another process (the CLI) can use; PGlite in memory has none. */
  config: DatabaseConfig | undefined;
  asAdmin<T>(work: (admin: Kysely<Database>) => Promise<T>): Promise<T>;
  /**
   * PGlite only: the raw files of its data directory (heap, WAL) as one uncompressed tar, after
   * a checkpoint — what someone who copied the embedded database's directory would hold.
   */
  rawDataDirectory?(): Promise<Buffer>;
  close(): Promise<void>;
}

export async function createTestDatabase(
  kind: 'postgres' | 'pglite' = inject('testDatabase').kind,
): Promise<TestDatabase> {
  const provided = inject('testDatabase');
  return kind === 'postgres'
    ? createPostgresTestDatabase(provided.url, provided.postgresTemplate, provided.databasePrefix)
    : createPgliteTestDatabase();
}

async function createPostgresTestDatabase(
  serverUrl: string,
  template: string | undefined,
  runPrefix: string | undefined,
): Promise<TestDatabase> {
  const name = runPrefix
    ? `${runPrefix}_${randomBytes(4).toString('hex')}`
    : `amparo_test_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const server = kyselyOverPool(createPostgresPool(serverUrl, 1));
  // Global setup migrates one template when the run is on PostgreSQL; a copy of it skips the
  // migrations (`migrateUp` then finds nothing to apply). A file asking for PostgreSQL in a
  // run on PGlite has no template and migrates its own database.
  await (template
    ? sql`create database ${sql.id(name)} template ${sql.id(template)}`
    : sql`create database ${sql.id(name)}`
  ).execute(server);
  // A commit waits for its log to reach the disk only so that it survives a crash of the
  // server, which no test makes: every request that writes (and every refusal, audited) waited
  // for an fsync (1-5 ms, hundreds of ms on a busy disk). What a commit makes visible to other
  // sessions, and when, is the same either way. Set on the database, so the commands a test
  // spawns against it run as its own connections do; the server's settings and production's
  // are untouched.
  await sql`alter database ${sql.id(name)} set synchronous_commit = off`.execute(server);
  const adminUrl = withDatabase(serverUrl, name);
  const admin = kyselyOverPool(createPostgresPool(adminUrl, 2));
  await migrateUp(admin);
  const appUrl = withUser(adminUrl, appRole);
  const db = kyselyOverPool(createPostgresPool(appUrl, 4));
  const handle: DatabaseHandle = { kind: 'postgres', db, close: () => db.destroy() };
  return {
    kind: 'postgres',
    handle,
    db,
    config: { kind: 'postgres', url: appUrl, migrationUrl: adminUrl },
    asAdmin: (work) => work(admin),
    async close() {
      await db.destroy();
      await admin.destroy();
      // A run that names its databases drops them all at its end (global-setup.ts): dropping
      // one waits for a checkpoint.
      if (!runPrefix)
        await sql`drop database if exists ${sql.id(name)} with (force)`.execute(server);
      await server.destroy();
    },
  };
}

async function createPgliteTestDatabase(): Promise<TestDatabase> {
  // Global setup migrates one PGlite and dumps it; starting from that dump skips initdb and
  // the migrations. `migrateUp` then finds nothing to apply.
  const pglite = await openPglite('memory://', pgliteTemplateBlob());
  const db = kyselyOverPglite(pglite);
  await migrateUp(db);
  await switchToAppRole(db);
  const handle: DatabaseHandle = { kind: 'pglite', db, close: () => closePglite(db, pglite) };
  return {
    kind: 'pglite',
    handle,
    db,
    config: undefined,
    // One connection: step out of the application role for the work, then back in.
    async asAdmin(work) {
      await sql`reset role`.execute(db);
      try {
        return await work(db);
      } finally {
        await switchToAppRole(db);
      }
    },
    async rawDataDirectory() {
      await sql`checkpoint`.execute(db).catch(async () => {
        // The application role may not checkpoint; the owner may.
        await sql`reset role`.execute(db);
        try {
          await sql`checkpoint`.execute(db);
        } finally {
          await switchToAppRole(db);
        }
      });
      return Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer());
    },
    close: () => closePglite(db, pglite),
  };
}

/**
 * The migrated PGlite template global setup dumped, as the Blob `openPglite` loads, or
 * undefined on a PostgreSQL run. Another data directory (a command's, on disk) starts from it
 * as the test databases do, instead of paying initdb and every migration again.
 */
export function pgliteTemplateBlob(): Blob | undefined {
  const templatePath = inject('testDatabase').pgliteTemplatePath;
  return templatePath ? new TarInMemory(pgliteTemplateBytes(templatePath)) : undefined;
}

let pgliteTemplate: { path: string; bytes: Buffer } | undefined;

/** The template's bytes, read once per worker process (test files share it: isolate false). */
function pgliteTemplateBytes(templatePath: string): Buffer {
  if (pgliteTemplate?.path !== templatePath) {
    pgliteTemplate = { path: templatePath, bytes: readFileSync(templatePath) };
  }
  return pgliteTemplate.bytes;
}

/**
 * The template as the Blob PGlite loads, handing it a private copy of the bytes directly:
 * Node's Blob copies them in and reads them back out in small chunks, a quarter of the CPU
 * time of opening a test database (2.1 s → 1.6 s a database, measured under load 26).
 */
class TarInMemory extends Blob {
  readonly #bytes: Buffer;

  constructor(bytes: Buffer) {
    super([], { type: 'application/x-tar' });
    this.#bytes = bytes;
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    const copy = new ArrayBuffer(this.#bytes.byteLength);
    new Uint8Array(copy).set(this.#bytes);
    return copy;
  }
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
