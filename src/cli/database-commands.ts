import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { loadConfig } from '../config.js';
import {
  closePglite,
  createPostgresPool,
  kyselyOverPglite,
  kyselyOverPool,
  openPglite,
} from '../platform/db/database.js';
import { migrateUp, migrationStatus } from '../platform/db/migrator.js';
import type { Database } from '../platform/db/schema.js';

/** `amparo migrate [up|status]`, run as the migrator (the schema owner). */
export function registerDatabaseCommands(program: Command): void {
  const migrate = program.command('migrate').description('apply or inspect database migrations');
  migrate
    .command('up', { isDefault: true })
    .description('apply every pending migration')
    .action(async () => {
      await withMigrator(async (db) => {
        const applied = await migrateUp(db, undefined, (name) => console.log(`applied ${name}`));
        console.log(
          applied.length === 0
            ? 'Migrations are current.'
            : `Applied ${applied.length} migration(s).`,
        );
      });
    });
  migrate
    .command('status')
    .description('list migrations and whether each is applied')
    .action(async () => {
      await withMigrator(async (db) => {
        const statuses = await migrationStatus(db);
        for (const status of statuses) {
          console.log(
            `${status.state.padEnd(8)} ${status.name}${status.appliedAt ? `  ${status.appliedAt.toISOString()}` : ''}`,
          );
        }
        if (statuses.some((status) => status.state !== 'applied')) process.exitCode = 3;
      });
    });
}

async function withMigrator(work: (db: Kysely<Database>) => Promise<void>): Promise<void> {
  const config = loadConfig(process.env);
  if (config.database.kind === 'postgres') {
    const db = kyselyOverPool(createPostgresPool(config.database.migrationUrl, 1));
    try {
      await work(db);
    } finally {
      await db.destroy();
    }
    return;
  }
  const pglite = await openPglite(config.database.dataDir);
  const db = kyselyOverPglite(pglite);
  try {
    await work(db);
  } finally {
    await closePglite(db, pglite);
  }
}
