import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import type { Database } from '../../platform/db/schema.js';
import { AuditLog } from './audit-log.js';
import type { TreeHeadRow } from './audit-repository.js';
import { buildAuditEntry, buildAuditKeys } from './audit-test-support.js';
import { type AuditVerifyReport, verifyAuditLog } from './audit-verify.js';
import { canonicalEntry } from './canonical-entry.js';
import { leafHash, signTreeHead } from './merkle/index.js';

/**
 * Tampering as the database superuser would. Each case changes the log inside a transaction,
 * verifies inside it, and rolls back, so the cases share one honest log.
 */
describe('verifyAuditLog against tampering', () => {
  let database: TestDatabase;
  let heads: TreeHeadRow[];
  let logSize: number;
  const keys = buildAuditKeys();

  beforeAll(async () => {
    database = await createTestDatabase();
    const auditLog = await AuditLog.open({ db: database.db, keys, signEveryEntries: 1_000_000 });
    for (let batch = 0; batch < 4; batch++) {
      await Promise.all(Array.from({ length: 30 }, () => auditLog.append(buildAuditEntry())));
      await auditLog.signTreeHead();
    }
    await Promise.all(Array.from({ length: 5 }, () => auditLog.append(buildAuditEntry())));
    await auditLog.close();
    heads = await auditLog.proofs.treeHeads(0, 100);
    logSize = heads.at(-1)!.treeSize + 1 + 5;
  });
  afterAll(async () => {
    await database?.close();
  });

  class Rollback extends Error {}

  async function verifyAfter(
    tamper: (admin: Kysely<Database>) => Promise<unknown>,
  ): Promise<AuditVerifyReport> {
    let report: AuditVerifyReport | undefined;
    await database.asAdmin((admin) =>
      admin
        .transaction()
        .execute(async (trx) => {
          await tamper(trx);
          report = await verifyAuditLog(trx, keys);
          throw new Rollback();
        })
        .catch((error: unknown) => {
          if (!(error instanceof Rollback)) throw error;
        }),
    );
    return report!;
  }

  it('passes the honest log and reports its coverage', async () => {
    const progress: number[] = [];
    const report = await verifyAuditLog(database.db, keys, (checked) => progress.push(checked));
    expect(report).toMatchObject({
      ok: true,
      problem: null,
      entriesChecked: logSize,
      treeHeadsChecked: 4,
    });
    expect(report.latestTreeHead?.treeSize).toBe(heads.at(-1)!.treeSize);
    expect(report.entriesAfterLatestHead).toBe(6);
    expect(progress.at(-1)).toBe(logSize);
  });

  it('names an entry whose text was edited', async () => {
    const report = await verifyAfter((admin) =>
      sql`update audit_entry set entry = replace(entry, 'person.read', 'person.list') where leaf_index = 17`.execute(
        admin,
      ),
    );
    expect(report.problem).toMatchObject({ kind: 'entry_edited', leafIndex: 17 });
    expect(report.ok).toBe(false);
  });

  it('names an entry whose text and leaf hash were rewritten together (no MAC key)', async () => {
    const forged = canonicalEntry(buildAuditEntry(), new Date());
    const report = await verifyAfter((admin) =>
      sql`update audit_entry set entry = ${forged}, leaf_hash = ${leafHash(Buffer.from(forged))}
          where leaf_index = 44`.execute(admin),
    );
    expect(report.problem).toMatchObject({ kind: 'entry_mac_invalid', leafIndex: 44 });
  });

  it('names the first entry missing after a DELETE', async () => {
    const report = await verifyAfter((admin) =>
      sql`delete from audit_entry where leaf_index in (70, 90)`.execute(admin),
    );
    expect(report.problem).toMatchObject({ kind: 'entry_missing', leafIndex: 70 });
  });

  it('detects a deletion hidden by renumbering the later rows', async () => {
    const report = await verifyAfter(async (admin) => {
      await sql`delete from audit_entry where leaf_index = 70`.execute(admin);
      await sql`update audit_entry set leaf_index = leaf_index - 1 where leaf_index > 70`.execute(
        admin,
      );
    });
    expect(report.problem).toMatchObject({ kind: 'entry_mac_invalid', leafIndex: 70 });
  });

  it('names a forged row appended at the end', async () => {
    const forged = canonicalEntry(buildAuditEntry(), new Date());
    const report = await verifyAfter((admin) =>
      sql`insert into audit_entry (leaf_index, entry, leaf_hash, entry_mac)
          values (${logSize}, ${forged}, ${leafHash(Buffer.from(forged))}, ${randomBytes(32)})`.execute(
        admin,
      ),
    );
    expect(report.problem).toMatchObject({ kind: 'entry_mac_invalid', leafIndex: logSize });
  });

  it('detects entries deleted from the end that a head covered', async () => {
    const last = heads.at(-1)!;
    const report = await verifyAfter((admin) =>
      sql`delete from audit_entry where leaf_index >= ${last.treeSize - 3}`.execute(admin),
    );
    expect(report.problem).toMatchObject({
      kind: 'entry_missing',
      leafIndex: last.treeSize - 3,
      treeSize: last.treeSize,
    });
  });

  it('names a deleted tree head', async () => {
    const deleted = heads[1]!;
    const report = await verifyAfter((admin) =>
      sql`delete from audit_tree_head where tree_size = ${deleted.treeSize}`.execute(admin),
    );
    expect(report.problem).toMatchObject({
      kind: 'tree_head_missing',
      treeSize: deleted.treeSize,
      leafIndex: deleted.treeSize,
    });
  });

  it('names a head whose root was changed, and one re-signed over a wrong root', async () => {
    const head = heads[2]!;
    const edited = await verifyAfter((admin) =>
      sql`update audit_tree_head set root_hash = ${randomBytes(32)} where tree_size = ${head.treeSize}`.execute(
        admin,
      ),
    );
    expect(edited.problem).toMatchObject({
      kind: 'tree_head_signature_invalid',
      treeSize: head.treeSize,
    });

    const wrongRoot = randomBytes(32);
    const resigned = signTreeHead(
      {
        size: head.treeSize,
        rootHash: wrongRoot,
        timestampMs: head.signedAt.getTime(),
        keyId: head.keyId,
      },
      keys.auditSigning.privateKey,
    );
    const mismatch = await verifyAfter((admin) =>
      sql`update audit_tree_head set root_hash = ${wrongRoot}, signature = ${resigned.signature}
          where tree_size = ${head.treeSize}`.execute(admin),
    );
    expect(mismatch.problem).toMatchObject({
      kind: 'tree_head_root_mismatch',
      treeSize: head.treeSize,
    });
  });

  it('does not let the application role change or remove audit rows', async () => {
    const attempts = [
      sql`update audit_entry set entry = entry where leaf_index = 0`,
      sql`delete from audit_entry where leaf_index = 0`,
      sql`truncate audit_entry`,
      sql`update audit_tree_head set signature = signature`,
      sql`delete from audit_tree_head`,
      sql`truncate audit_tree_head`,
    ];
    for (const attempt of attempts) {
      await expect(attempt.execute(database.db)).rejects.toThrow(/permission denied/);
    }
    expect((await verifyAuditLog(database.db, keys)).ok).toBe(true);
  });
});
