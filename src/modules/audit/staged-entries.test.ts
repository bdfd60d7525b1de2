import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import { AuditLog } from './audit-log.js';
import { buildAuditEntry, buildAuditKeys } from './audit-test-support.js';
import { verifyAuditLog } from './audit-verify.js';

/**
 * Staged entries (audit_pending, migration 0077; README "Staged entries"): committed with the
 * writer's transaction without the appender lock, moved into the log by group commit.
 */
describe('AuditLog staged entries', () => {
  let database: TestDatabase;
  const keys = buildAuditKeys();

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  async function logged(requestId: string): Promise<number[]> {
    const rows = await database.db
      .selectFrom('audit_entry')
      .select('leaf_index')
      .where(sql<string>`entry::json->>'requestId'`, '=', requestId)
      .execute();
    return rows.map((row) => Number(row.leaf_index));
  }

  async function pendingCount(): Promise<number> {
    const row = await database.db
      .selectFrom('audit_pending')
      .select(sql<string>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  it('moves concurrent writers’ entries into the log densely, once each, and rolls back with the write', async () => {
    const auditLog = await AuditLog.open({ db: database.db, keys });
    const entries = Array.from({ length: 40 }, () => buildAuditEntry());
    await Promise.all(
      entries.map(async (entry) => {
        const staged = await database.db
          .transaction()
          .execute((trx) => auditLog.stageInTransaction(trx, [entry]));
        await auditLog.settle(staged);
      }),
    );
    const rolledBack = buildAuditEntry();
    await expect(
      database.db.transaction().execute(async (trx) => {
        await auditLog.stageInTransaction(trx, [rolledBack]);
        throw new Error('the write failed');
      }),
    ).rejects.toThrow('the write failed');
    await auditLog.close();

    for (const entry of entries) expect(await logged(entry.requestId!)).toHaveLength(1);
    expect(await logged(rolledBack.requestId!)).toEqual([]);
    expect(await pendingCount()).toBe(0);
    const report = await verifyAuditLog(database.db, keys);
    expect(report.ok).toBe(true);
    expect(report.entriesChecked).toBe(40);
    expect(report.pendingEntries).toBe(0);
  });

  it('moves an entry whose writer died after its commit with the sweep, and never twice', async () => {
    const entry = buildAuditEntry();
    const writer = await AuditLog.open({ db: database.db, keys });
    // The writer commits and "dies" before settling.
    const staged = await database.db
      .transaction()
      .execute((trx) => writer.stageInTransaction(trx, [entry]));
    expect(await pendingCount()).toBe(1);
    const unsettled = await verifyAuditLog(database.db, keys);
    expect(unsettled.ok).toBe(true);
    expect(unsettled.pendingEntries).toBe(1);

    const sweeper = await AuditLog.open({ db: database.db, keys });
    expect(await sweeper.sweepPending(60_000)).toEqual({ moved: 0, refused: 0 }); // too young
    expect(await sweeper.sweepPending(0)).toEqual({ moved: 1, refused: 0 });
    await sweeper.close();
    // The writer's late settle, and a second sweep, find it moved already.
    await writer.settle(staged);
    await writer.close();
    const again = await AuditLog.open({ db: database.db, keys });
    expect(await again.sweepPending(0)).toEqual({ moved: 0, refused: 0 });
    await again.close();

    expect(await logged(entry.requestId!)).toHaveLength(1);
    expect(await pendingCount()).toBe(0);
    expect((await verifyAuditLog(database.db, keys)).ok).toBe(true);
  });

  it('refuses to move a staged row forged in the database, and verify reports it', async () => {
    const forged = buildAuditEntry();
    const text = JSON.stringify({ ...forged, time: new Date().toISOString(), v: 1 });
    await database.db
      .insertInto('audit_pending')
      .values({ id: randomUUID(), entry: text, entry_mac: randomBytes(32) })
      .execute();
    const auditLog = await AuditLog.open({ db: database.db, keys });
    expect(await auditLog.sweepPending(0)).toEqual({ moved: 0, refused: 1 });
    await auditLog.close();
    expect(await logged(forged.requestId!)).toEqual([]);
    const report = await verifyAuditLog(database.db, keys);
    expect(report.ok).toBe(false);
    expect(report.problem?.kind).toBe('pending_entry_mac_invalid');
  });

  it('gives the application role no way to drop a staged entry that is not in the log', async () => {
    const auditLog = await AuditLog.open({ db: database.db, keys });
    const entry = buildAuditEntry();
    const staged = await database.db
      .transaction()
      .execute((trx) => auditLog.stageInTransaction(trx, [entry]));
    const id = staged.items[0]!.id;
    await expect(
      sql`delete from audit_pending where id = ${id}`.execute(database.db),
    ).rejects.toThrow(/permission denied/);
    await expect(
      sql`update audit_pending set entry = '{}' where id = ${id}`.execute(database.db),
    ).rejects.toThrow(/permission denied/);
    // The function removes a row only when its leaf holds the same text.
    const removed = await sql<{ n: number }>`
      select audit_pending_moved(${[id]}::uuid[], ${['0']}::bigint[]) as n`.execute(database.db);
    expect(Number(removed.rows[0]?.n)).toBe(0);
    await auditLog.settle(staged);
    await auditLog.close();
    expect(await logged(entry.requestId!)).toHaveLength(1);
  });
});
