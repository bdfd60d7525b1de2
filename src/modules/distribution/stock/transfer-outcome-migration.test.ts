import { randomBytes, randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  closePglite,
  createPostgresPool,
  kyselyOverPglite,
  kyselyOverPool,
  openPglite,
} from '../../../platform/db/database.js';
import { migrateUp, readMigrationFiles } from '../../../platform/db/migrator.js';
import type { Database } from '../../../platform/db/schema.js';

// PGlite always; PostgreSQL whenever the run has it (as the migrator's own test).
const dialects: Array<'pglite' | 'postgres'> =
  inject('testDatabase').kind === 'postgres' ? ['pglite', 'postgres'] : ['pglite'];

/** A new, empty database of that dialect, as its owner, and how to throw it away. */
async function emptyDatabase(
  kind: 'pglite' | 'postgres',
): Promise<{ db: Kysely<Database>; close(): Promise<void> }> {
  if (kind === 'pglite') {
    const pglite = await openPglite('memory://');
    const db = kyselyOverPglite(pglite);
    return { db, close: () => closePglite(db, pglite) };
  }
  const { url: serverUrl, databasePrefix } = inject('testDatabase');
  // Named with the run's prefix when it has one: the run drops them all at its end (as
  // test/db.ts does; dropping one waits for a checkpoint).
  const name = `${databasePrefix ?? 'amparo_test'}_${randomBytes(4).toString('hex')}`;
  const server = kyselyOverPool(createPostgresPool(serverUrl, 1));
  await sql`create database ${sql.id(name)}`.execute(server);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = kyselyOverPool(createPostgresPool(url.toString(), 2));
  return {
    db,
    async close() {
      await db.destroy();
      if (!databasePrefix)
        await sql`drop database if exists ${sql.id(name)} with (force)`.execute(server);
      await server.destroy();
    },
  };
}

/**
 * Migration 0124 on a database that has cancellations in 0122's table: each becomes a
 * `cancelled` outcome with its reason, note, supervisor and time, the outcomes already there are
 * untouched, and the old table is gone.
 */
describe.each(dialects)('migration 0124 (transfer cancellations into outcomes) on %s', (kind) => {
  let database: Awaited<ReturnType<typeof emptyDatabase>>;
  const [from, to] = [randomUUID(), randomUUID()];
  const [cancelledId, acceptedId, pendingId] = [randomUUID(), randomUUID(), randomUUID()];
  const supervisor = randomUUID();
  const cancelledAt = new Date('2026-11-03T10:15:00Z');

  beforeAll(async () => {
    database = await emptyDatabase(kind);
    const files = readMigrationFiles();
    await migrateUp(
      database.db,
      files.filter((file) => file.name < '0124'),
    );
    const { db } = database;
    await sql`insert into distribution_point (id, code, name, kind, region_code)
      values (${from}, 'm0124-from', 'From', 'warehouse', 'VE-A'),
             (${to}, 'm0124-to', 'To', 'kiosk', 'VE-A')`.execute(db);
    for (const id of [cancelledId, acceptedId, pendingId]) {
      await sql`insert into stock_transfer (id, from_point_id, to_point_id, item, quantity_sent)
        values (${id}, ${from}, ${to}, 'rice_kg', 5)`.execute(db);
    }
    await sql`insert into stock_transfer_outcome (transfer_id, outcome, quantity_received, shortfall)
      values (${acceptedId}, 'accepted', 5, 0)`.execute(db);
    await sql`insert into stock_transfer_cancellation (transfer_id, reason, note, cancelled_by, cancelled_at)
      values (${cancelledId}, 'wrong_point', 'Meant for the kiosk', ${supervisor}, ${cancelledAt})`.execute(
      db,
    );
    expect(await migrateUp(database.db, files)).toContain(
      files.find((file) => file.name.startsWith('0124_'))?.name,
    );
  }, 180_000);
  afterAll(async () => database?.close());

  it('makes each cancellation a cancelled outcome and drops the old table', async () => {
    const rows = await sql<{
      transfer_id: string;
      outcome: string;
      quantity_received: number;
      shortfall: number;
      cancel_reason: string | null;
      note: string | null;
      decided_by: string | null;
      decided_at: Date;
    }>`select transfer_id, outcome, quantity_received, shortfall, cancel_reason, note, decided_by,
              decided_at
         from stock_transfer_outcome where transfer_id in (${cancelledId}, ${acceptedId}, ${pendingId})
        order by outcome`.execute(database.db);
    expect(rows.rows).toEqual([
      expect.objectContaining({
        transfer_id: acceptedId,
        outcome: 'accepted',
        cancel_reason: null,
      }),
      {
        transfer_id: cancelledId,
        outcome: 'cancelled',
        quantity_received: 0,
        shortfall: 0,
        cancel_reason: 'wrong_point',
        note: 'Meant for the kiosk',
        decided_by: supervisor,
        decided_at: cancelledAt,
      },
    ]);
    const old = await sql<{ present: boolean }>`
      select to_regclass('public.stock_transfer_cancellation') is not null as present`.execute(
      database.db,
    );
    expect(old.rows[0]?.present).toBe(false);
  });

  it('takes a cancellation only with its reason, and still one outcome per transfer', async () => {
    const { db } = database;
    await expect(
      sql`insert into stock_transfer_outcome (transfer_id, outcome, quantity_received, shortfall)
        values (${pendingId}, 'cancelled', 0, 0)`.execute(db),
    ).rejects.toThrow(/check constraint/);
    await expect(
      sql`insert into stock_transfer_outcome (transfer_id, outcome, quantity_received, shortfall, cancel_reason)
        values (${pendingId}, 'refused', 0, 0, 'wrong_point')`.execute(db),
    ).rejects.toThrow(/check constraint/);
    await expect(
      sql`insert into stock_transfer_outcome (transfer_id, outcome, quantity_received, shortfall, cancel_reason)
        values (${cancelledId}, 'cancelled', 0, 0, 'sent_in_error')`.execute(db),
    ).rejects.toThrow(/duplicate key/);
  });
});
