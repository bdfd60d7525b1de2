import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import { raiseSecurityAlert } from '../access/security-alerts.js';
import { AuditLog } from './audit-log.js';
import { buildAuditEntry, buildAuditKeys } from './audit-test-support.js';
import { FileWitness } from './witness.js';
import { checkLogAgainstWitness } from './witness-start-check.js';

describe('start-up comparison of the audit log with the witness file', () => {
  let database: TestDatabase;
  let dir: string;
  let witnessFile: string;
  const keys = buildAuditKeys();

  beforeAll(async () => {
    database = await createTestDatabase();
    dir = mkdtempSync(path.join(tmpdir(), 'amparo-witness-start-'));
    witnessFile = path.join(dir, 'witness.jsonl');
    const auditLog = await AuditLog.open({
      db: database.db,
      keys,
      witnesses: [new FileWitness(witnessFile)],
    });
    await Promise.all(Array.from({ length: 9 }, () => auditLog.append(buildAuditEntry())));
    await auditLog.signTreeHead();
    await auditLog.close();
  });
  afterAll(async () => {
    await database?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const raise = (details: Record<string, unknown>) =>
    raiseSecurityAlert(database.db, 'audit_log_rolled_back', null, details);

  async function rollbackAlerts(): Promise<Record<string, unknown>[]> {
    const rows = await database.db
      .selectFrom('security_alert')
      .select('details')
      .where('kind', '=', 'audit_log_rolled_back')
      .execute();
    return rows.map((row) => row.details);
  }

  it('passes a log that holds the witnessed head and its record, and ignores a missing file', async () => {
    expect(await checkLogAgainstWitness(database.db, witnessFile, raise)).toEqual({
      state: 'consistent_length',
      logEntries: 10,
      witnessedTreeSize: 9,
    });
    expect(await checkLogAgainstWitness(database.db, path.join(dir, 'none.jsonl'), raise)).toEqual({
      state: 'no_witness',
    });
    expect(await rollbackAlerts()).toEqual([]);
  });

  it('alerts auditors when the superuser removed the head record and what followed', async () => {
    await database.asAdmin(async (admin) => {
      await sql`delete from audit_entry where leaf_index >= 9`.execute(admin);
      await sql`delete from audit_tree_head`.execute(admin);
    });
    expect(await checkLogAgainstWitness(database.db, witnessFile, raise)).toMatchObject({
      state: 'rolled_back',
      logEntries: 9,
      witnessedTreeSize: 9,
    });
    expect(await rollbackAlerts()).toEqual([
      expect.objectContaining({ logEntries: 9, witnessedTreeSize: 9 }),
    ]);
  });
});
