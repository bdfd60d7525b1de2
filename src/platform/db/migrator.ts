import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Kysely, sql } from 'kysely';
import { ConfigError } from '../errors.js';
import { appRole } from './database.js';
import type { Database } from './schema.js';

/** `migrations/` at the project root: plain SQL files, applied in name order. */
export const migrationsDir = fileURLToPath(new URL('../../../migrations/', import.meta.url));

const fileNamePattern = /^\d{4}_[a-z0-9_]+\.sql$/;

/** A lock key of our own, so two processes never migrate the same database at once. */
const advisoryLockKey = 0x616d7061; // "ampa"

export interface MigrationFile {
  name: string;
  checksum: string;
  sql: string;
}

export interface MigrationStatus {
  name: string;
  state: 'applied' | 'pending' | 'edited' | 'unknown';
  appliedAt?: Date;
}

export function readMigrationFiles(dir: string = migrationsDir): MigrationFile[] {
  const names = readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort();
  return names.map((name) => {
    if (!fileNamePattern.test(name)) {
      throw new Error(`Migration file ${name} does not match NNNN_snake_case.sql`);
    }
    const text = readFileSync(`${dir}/${name}`, 'utf8');
    return { name, checksum: sha256Hex(text), sql: text };
  });
}

/**
 * Compares the files with what the database has applied. A landed migration whose file
 * changed is `edited`: migrations are never edited once landed, a new one is added instead.
 */
export async function migrationStatus(
  db: Kysely<Database>,
  files: MigrationFile[] = readMigrationFiles(),
): Promise<MigrationStatus[]> {
  const applied = await readApplied(db);
  const byName = new Map(applied.map((row) => [row.name, row]));
  const statuses: MigrationStatus[] = files.map((file) => {
    const row = byName.get(file.name);
    if (!row) return { name: file.name, state: 'pending' };
    byName.delete(file.name);
    const state = row.checksum === file.checksum ? 'applied' : 'edited';
    return { name: file.name, state, appliedAt: row.applied_at };
  });
  for (const row of byName.values()) {
    statuses.push({ name: row.name, state: 'unknown', appliedAt: row.applied_at });
  }
  return statuses;
}

/** True when every file is applied unchanged and the database knows no other migration. */
export async function migrationsCurrent(db: Kysely<Database>): Promise<boolean> {
  const statuses = await migrationStatus(db);
  return statuses.every((status) => status.state === 'applied');
}

/**
 * Applies every pending migration, each in its own transaction, under an advisory lock.
 * Refuses to run over an edited or unknown migration. Returns the names applied.
 */
export async function migrateUp(
  db: Kysely<Database>,
  files: MigrationFile[] = readMigrationFiles(),
  onApplied: (name: string) => void = () => undefined,
): Promise<string[]> {
  await ensureAppRole(db);
  await ensureMigrationTable(db);
  // Nothing to apply (a server restart, a test database copied from a migrated template):
  // one read instead of a locked transaction per file. Anything else takes the path below,
  // which checks again under the lock.
  const before = await migrationStatus(db, files);
  if (before.every((status) => status.state === 'applied')) return [];
  const appliedNames: string[] = [];
  for (const file of files) {
    const didApply = await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${advisoryLockKey})`.execute(trx);
      const statuses = await migrationStatus(trx, files);
      const broken = statuses.find((s) => s.state === 'edited' || s.state === 'unknown');
      if (broken) {
        throw new Error(
          `Migration ${broken.name} is ${broken.state} in the database; landed migrations are never edited or removed`,
        );
      }
      if (statuses.find((s) => s.name === file.name)?.state === 'applied') return false;
      await sql.raw(file.sql).execute(trx);
      await trx
        .insertInto('amparo_migration')
        .values({ name: file.name, checksum: file.checksum })
        .execute();
      return true;
    });
    if (didApply) {
      appliedNames.push(file.name);
      onApplied(file.name);
    }
  }
  return appliedNames;
}

async function readApplied(db: Kysely<Database>) {
  const exists = await sql<{ present: boolean }>`
    select to_regclass('public.amparo_migration') is not null as present`.execute(db);
  if (!exists.rows[0]?.present) return [];
  return db.selectFrom('amparo_migration').select(['name', 'checksum', 'applied_at']).execute();
}

async function ensureMigrationTable(db: Kysely<Database>): Promise<void> {
  await sql`
    create table if not exists amparo_migration (
      name text primary key,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`.execute(db);
  await sql`comment on table amparo_migration is 'Schema migrations applied, with the SHA-256 of each file so an edited migration is detected.'`.execute(
    db,
  );
  await sql`comment on column amparo_migration.name is 'Migration file name (NNNN_name.sql).'`.execute(
    db,
  );
  await sql`comment on column amparo_migration.checksum is 'SHA-256 (hex) of the file as applied.'`.execute(
    db,
  );
  await sql`comment on column amparo_migration.applied_at is 'When the migration was applied.'`.execute(
    db,
  );
  await sql`grant usage on schema public to ${sql.id(appRole)}`.execute(db);
  await sql`grant select on amparo_migration to ${sql.id(appRole)}`.execute(db);
}

/**
 * The application role is cluster-wide, so it is created here rather than in a migration.
 * A migrator without CREATEROLE gets a clear instruction instead of a failed GRANT later.
 */
async function ensureAppRole(db: Kysely<Database>): Promise<void> {
  const found = await sql<{
    n: number;
  }>`select 1 as n from pg_roles where rolname = ${appRole}`.execute(db);
  if (found.rows.length > 0) return;
  try {
    await sql`create role ${sql.id(appRole)} login`.execute(db);
  } catch (error) {
    // Another process may have created it at the same moment: that is success.
    const code = (error as { code?: string }).code;
    if (code === '42710' || code === '23505') return;
    throw new ConfigError(
      'MIGRATION_DATABASE_URL',
      `role ${appRole} does not exist and this login cannot create it; as a superuser run: CREATE ROLE ${appRole} LOGIN PASSWORD '…' (see docs/DATABASE.md)`,
    );
  }
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
