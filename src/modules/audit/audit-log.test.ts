import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import { AuditLog } from './audit-log.js';
import { buildAuditEntry, buildAuditKeys } from './audit-test-support.js';
import { verifyAuditLog } from './audit-verify.js';
import {
  hashesEqual,
  leafHash,
  rootFromLeafHashes,
  verifyConsistencyProof,
  verifyInclusionProof,
  verifyTreeHead,
} from './merkle/index.js';

describe('AuditLog', () => {
  let database: TestDatabase;
  const keys = buildAuditKeys();

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  async function storedEntries(): Promise<{ leafIndex: number; entry: string }[]> {
    const rows = await database.db
      .selectFrom('audit_entry')
      .select(['leaf_index', 'entry'])
      .orderBy('leaf_index')
      .execute();
    return rows.map((row) => ({ leafIndex: Number(row.leaf_index), entry: row.entry }));
  }

  it('assigns dense, unique indexes to concurrent appends and signs heads every N entries', async () => {
    const auditLog = await AuditLog.open({ db: database.db, keys, signEveryEntries: 50 });
    const entries = Array.from({ length: 240 }, () => buildAuditEntry());
    const appended = [];
    // Waves of concurrent callers: each wave is one or two group commits.
    for (let wave = 0; wave < entries.length; wave += 30) {
      const callers = entries.slice(wave, wave + 30).map((entry) => auditLog.append(entry));
      appended.push(...(await Promise.all(callers)));
    }
    await auditLog.close();

    const rows = await storedEntries();
    expect(rows.map((row) => row.leafIndex)).toEqual(rows.map((_, i) => i));
    // Each caller got the index its own entry was stored at.
    for (const [i, entry] of entries.entries()) {
      const row = rows[appended[i]!.leafIndex]!;
      expect(JSON.parse(row.entry).requestId).toBe(entry.requestId);
    }
    expect(new Set(appended.map((a) => a.leafIndex)).size).toBe(entries.length);

    const heads = await auditLog.proofs.treeHeads(0, 100);
    expect(heads.length).toBeGreaterThanOrEqual(3);
    const leafHashes = rows.map((row) => leafHash(Buffer.from(row.entry, 'utf8')));
    for (const head of heads) {
      const expected = rootFromLeafHashes(leafHashes.slice(0, head.treeSize));
      expect(hashesEqual(head.rootHash, expected)).toBe(true);
      const signed = { ...head, size: head.treeSize, timestampMs: head.signedAt.getTime() };
      expect(verifyTreeHead(signed, keys.auditSigning.publicKey)).toBe(true);
    }
    expect((await verifyAuditLog(database.db, keys)).ok).toBe(true);
  });

  it('resumes from the stored frontier and serves proofs that verify against signed heads', async () => {
    const auditLog = await AuditLog.open({ db: database.db, keys });
    const older = await auditLog.signTreeHead();
    for (let i = 0; i < 37; i++) await auditLog.append(buildAuditEntry());
    const newer = await auditLog.signTreeHead();
    await auditLog.close();
    expect(newer.treeSize).toBe(older.treeSize + 1 + 37);

    const rows = await storedEntries();
    const leafHashes = rows.map((row) => leafHash(Buffer.from(row.entry, 'utf8')));
    expect(
      hashesEqual(newer.rootHash, rootFromLeafHashes(leafHashes.slice(0, newer.treeSize))),
    ).toBe(true);

    for (const index of [0, 1, older.treeSize - 1, older.treeSize, newer.treeSize - 1]) {
      const view = await auditLog.proofs.inclusionProof(index, newer.treeSize);
      const claim = {
        index,
        size: newer.treeSize,
        leafHash: view.leafHash,
        proof: view.proof,
        root: newer.rootHash,
      };
      expect(verifyInclusionProof(claim)).toBe(true);
      expect(hashesEqual(view.leafHash, leafHashes[index]!)).toBe(true);
    }
    const consistency = await auditLog.proofs.consistencyProof(older.treeSize, newer.treeSize);
    const claim = {
      oldSize: older.treeSize,
      newSize: newer.treeSize,
      oldRoot: older.rootHash,
      newRoot: newer.rootHash,
      proof: consistency.proof,
    };
    expect(verifyConsistencyProof(claim)).toBe(true);
  });

  it('appends inside the caller transaction: a rollback leaves no entry and no gap', async () => {
    const auditLog = await AuditLog.open({ db: database.db, keys });
    const before = (await storedEntries()).length;
    await expect(
      database.db.transaction().execute(async (trx) => {
        await auditLog.appendInTransaction(trx, [buildAuditEntry(), buildAuditEntry()]);
        throw new Error('the business write failed');
      }),
    ).rejects.toThrow('the business write failed');
    const committed = await database.db
      .transaction()
      .execute((trx) => auditLog.appendInTransaction(trx, [buildAuditEntry()]));
    await auditLog.close();
    expect(committed.map((c) => c.leafIndex)).toEqual([before]);
    expect((await storedEntries()).length).toBe(before + 1);
  });

  it('lists who accessed a person, newest first, with cursor paging', async () => {
    const personId = randomUUID();
    const auditLog = await AuditLog.open({ db: database.db, keys });
    const mine = [
      buildAuditEntry({ resource: { type: 'person', id: personId }, purpose: 'distribution' }),
      buildAuditEntry({ resource: { type: 'household', id: personId } }),
      buildAuditEntry({
        resource: { type: 'person', id: personId },
        outcome: 'denied',
        reasonCode: 'AMP_FORBIDDEN',
      }),
      buildAuditEntry({ resource: { type: 'person', id: personId }, purpose: 'appeal' }),
    ];
    const appended = [];
    for (const entry of mine) appended.push(await auditLog.append(entry));
    await auditLog.close();

    const first = await auditLog.proofs.entriesForPerson(personId, { limit: 2 });
    expect(first.entries.map((e) => e.leafIndex)).toEqual([
      appended[3]!.leafIndex,
      appended[2]!.leafIndex,
    ]);
    expect(first.entries[1]).toMatchObject({
      outcome: 'denied',
      actorKind: 'operator',
      role: 'registry_supervisor',
      region: 'VE-A',
    });
    const second = await auditLog.proofs.entriesForPerson(personId, {
      cursor: first.nextCursor!,
      limit: 2,
    });
    expect(second.entries.map((e) => [e.leafIndex, e.purpose])).toEqual([
      [appended[0]!.leafIndex, 'distribution'],
    ]);
    expect(second.nextCursor).toBeNull();
    const [row] = await sql<{ recorded_at: Date }>`
      select recorded_at from audit_entry where leaf_index = ${appended[0]!.leafIndex}`
      .execute(database.db)
      .then((r) => r.rows);
    expect(row!.recorded_at.toISOString()).toBe(appended[0]!.time);
  });

  it('rejects every caller of a batch that could not be written', async () => {
    const auditLog = await AuditLog.open({ db: database.db, keys });
    await database.asAdmin((admin) =>
      sql`revoke insert on audit_entry from amparo_app`.execute(admin),
    );
    try {
      const results = await Promise.allSettled([
        auditLog.append(buildAuditEntry()),
        auditLog.append(buildAuditEntry()),
      ]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    } finally {
      await database.asAdmin((admin) =>
        sql`grant insert on audit_entry to amparo_app`.execute(admin),
      );
    }
    const after = await auditLog.append(buildAuditEntry());
    await auditLog.close();
    expect(after.leafIndex).toBe((await storedEntries()).length - 1);
  });

  it('signs on its timer when entries are new, and close() stops the timer', async () => {
    const auditLog = await AuditLog.open({ db: database.db, keys, signEveryMs: 20 });
    auditLog.startTimer();
    const appended = await auditLog.append(buildAuditEntry());
    let head = await auditLog.proofs.latestTreeHead();
    for (let tries = 0; tries < 200 && head!.treeSize <= appended.leafIndex; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      head = await auditLog.proofs.latestTreeHead();
    }
    expect(head!.treeSize).toBe(appended.leafIndex + 1);
    await auditLog.close();
    const writer = await AuditLog.open({ db: database.db, keys });
    await writer.append(buildAuditEntry());
    await writer.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await auditLog.proofs.latestTreeHead())!.treeSize).toBe(head!.treeSize);
  });

  it('refuses entries it could not store faithfully', async () => {
    const auditLog = await AuditLog.open({ db: database.db, keys });
    await expect(auditLog.append(buildAuditEntry({ requestId: 'a\u0000b' }))).rejects.toThrow(
      /control/,
    );
    await expect(auditLog.append(buildAuditEntry({ action: 'READ' }))).rejects.toThrow(/dotted/);
    await auditLog.close();
  });
});
