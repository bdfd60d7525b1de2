import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { type Kysely, sql } from 'kysely';
import { AuditLog } from '../src/modules/audit/audit-log.js';
import { kidOf } from '../src/platform/crypto/key-store.js';
import { appRole, createPostgresPool, kyselyOverPool } from '../src/platform/db/database.js';
import { migrateUp } from '../src/platform/db/migrator.js';
import type { Database } from '../src/platform/db/schema.js';
import type { AuditEntryInput } from '../src/shared/audit/audit-entry.js';

/**
 * Append throughput of the audit log on PostgreSQL: many concurrent callers, group commit, a
 * signed tree head every 1,000 entries. Target ≥ 5,000 entries/s.
 *
 *   npm run bench -- audit-append [entries=50000] [callers=256]
 *
 * Uses TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) to create and
 * drop a throwaway database, exactly like the tests.
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const entries = Number(args[0] ?? 50_000);
  const callers = Number(args[1] ?? 256);
  const database = await createThrowawayDatabase();
  try {
    const keys = benchAuditKeys();
    const auditLog = await AuditLog.open({ db: database.app, keys, signEveryEntries: 1_000 });
    const started = performance.now();
    let next = 0;
    const caller = async () => {
      while (next < entries) {
        next += 1;
        await auditLog.append(benchEntry());
      }
    };
    await Promise.all(Array.from({ length: callers }, caller));
    await auditLog.close();
    const durationMs = performance.now() - started;
    const heads = await database.app
      .selectFrom('audit_tree_head')
      .select(sql<string>`count(*)`.as('count'))
      .executeTakeFirstOrThrow();
    return {
      entries,
      callers,
      durationMs: Math.round(durationMs),
      entriesPerSecond: Math.round(entries / (durationMs / 1000)),
      treeHeadsSigned: Number(heads.count),
      loadAverage: loadAverage(),
    };
  } finally {
    await database.drop();
  }
}

/** A KeyStore-shaped pair of fresh keys for a benchmark. */
export function benchAuditKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    masterKey: randomBytes(32),
    auditSigning: { kid: kidOf(publicKey), privateKey, publicKey },
  };
}

/** An entry the size of a typical person read. */
export function benchEntry(): AuditEntryInput {
  return {
    actor: { kind: 'operator', id: randomUUID(), role: 'registry_supervisor', region: 'VE-A' },
    action: 'person.read',
    resource: { type: 'person', id: randomUUID() },
    purpose: 'eligibility_review',
    fields: ['givenName', 'familyName', 'birthDate', 'sex'],
    outcome: 'allowed',
    reasonCode: null,
    requestId: randomUUID(),
  };
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').trim();
}

export interface ThrowawayDatabase {
  app: Kysely<Database>;
  admin: Kysely<Database>;
  /** Connection URLs, for another process (a spawned worker) to use the same database. */
  appUrl: string;
  adminUrl: string;
  drop(): Promise<void>;
}

/**
 * A migrated database on the test server; `app` connects as the least-privilege role, with
 * `appConnectionsMax` connections in its pool.
 */
export async function createThrowawayDatabase(appConnectionsMax = 4): Promise<ThrowawayDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `amparo_bench_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const server = kyselyOverPool(createPostgresPool(serverUrl, 1));
  await sql`create database ${sql.id(name)}`.execute(server);
  const adminUrl = new URL(serverUrl);
  adminUrl.pathname = `/${name}`;
  const admin = kyselyOverPool(createPostgresPool(adminUrl.toString(), 2));
  await migrateUp(admin);
  const appUrl = new URL(adminUrl);
  appUrl.username = appRole;
  appUrl.password = '';
  const app = kyselyOverPool(createPostgresPool(appUrl.toString(), appConnectionsMax));
  return {
    app,
    admin,
    appUrl: appUrl.toString(),
    adminUrl: adminUrl.toString(),
    async drop() {
      await app.destroy();
      await admin.destroy();
      await sql`drop database if exists ${sql.id(name)} with (force)`.execute(server);
      await server.destroy();
    },
  };
}
