import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import { appRole } from './database.js';
import { migrateUp, migrationStatus, readMigrationFiles } from './migrator.js';
import { forbiddenPrivileges, tableClasses } from './table-classes.js';

// Every dialect this machine can run: PGlite always, PostgreSQL whenever it is reachable
// (always in CI, where an unreachable PostgreSQL fails the run in global setup).
const dialects: Array<'pglite' | 'postgres'> =
  inject('testDatabase').kind === 'postgres' ? ['pglite', 'postgres'] : ['pglite'];

describe.each(dialects)('migrations on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => database?.close());

  it('applies every migration file, and a second run applies nothing', async () => {
    const statuses = await migrationStatus(database.db);
    const files = readMigrationFiles();
    expect(statuses.map((s) => s.name)).toEqual(files.map((f) => f.name));
    expect(statuses.every((s) => s.state === 'applied')).toBe(true);
    const again = await database.asAdmin((admin) => migrateUp(admin));
    expect(again).toEqual([]);
  });

  it('comments every table and column', async () => {
    const missing = await database.asAdmin(async (admin) => {
      const rows = await sql<{ table_name: string; column_name: string | null }>`
        select c.relname as table_name, null as column_name
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = 'public' and c.relkind in ('r', 'p') and obj_description(c.oid, 'pg_class') is null
        union all
        select c.relname, a.attname
          from pg_class c
          join pg_namespace n on n.oid = c.relnamespace
          join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
         where n.nspname = 'public' and c.relkind in ('r', 'p') and col_description(c.oid, a.attnum) is null`.execute(
        admin,
      );
      return rows.rows;
    });
    expect(missing).toEqual([]);
  });

  it('gives the application role no privilege its table class forbids', async () => {
    const tables = await database.asAdmin(async (admin) => {
      const rows = await sql<{ table_name: string }>`
        select c.relname as table_name from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition`.execute(
        admin,
      );
      return rows.rows.map((row) => row.table_name);
    });
    expect(tables.filter((table) => !(table in tableClasses))).toEqual([]);
    const violations: string[] = [];
    for (const table of tables) {
      const tableClass = tableClasses[table];
      if (!tableClass) continue;
      for (const privilege of forbiddenPrivileges[tableClass]) {
        const result = await sql<{ granted: boolean }>`
          select has_table_privilege(${appRole}, ${table}, ${privilege}) as granted`.execute(
          database.db,
        );
        if (result.rows[0]?.granted) violations.push(`${table}: ${privilege}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('refuses DDL and TRUNCATE to the application role', async () => {
    await expect(sql`create table intruder (id int)`.execute(database.db)).rejects.toThrow(
      /permission denied/,
    );
    await expect(sql`truncate idempotency_record`.execute(database.db)).rejects.toThrow(
      /permission denied/,
    );
    await expect(sql`delete from amparo_migration`.execute(database.db)).rejects.toThrow(
      /permission denied/,
    );
  });

  it('refuses to run when a landed migration was edited', async () => {
    const files = readMigrationFiles();
    const edited = files.map((file, index) =>
      index === 0 ? { ...file, sql: `${file.sql}\n-- edited`, checksum: 'f'.repeat(64) } : file,
    );
    await expect(database.asAdmin((admin) => migrateUp(admin, edited))).rejects.toThrow(/edited/);
    const statuses = await migrationStatus(database.db, edited);
    expect(statuses[0]?.state).toBe('edited');
  });
});
