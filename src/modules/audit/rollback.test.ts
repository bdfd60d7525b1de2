import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import type { Database } from '../../platform/db/schema.js';
import { AuditLog } from './audit-log.js';
import type { TreeHeadRow } from './audit-repository.js';
import { buildAuditEntry, buildAuditKeys } from './audit-test-support.js';
import { type AuditVerifyReport, verifyAuditLog } from './audit-verify.js';
import { appendEntryTexts, signTreeHeadLocked } from './audit-writer.js';
import { canonicalEntry } from './canonical-entry.js';
import { EntryMac } from './entry-mac.js';
import { MerkleFrontier } from './merkle/index.js';
import { treeHeadView } from './tree-head-view.js';
import { loadTrustedHeads, type TrustedHeadSource } from './trusted-heads.js';
import { FileWitness, readWitnessFile } from './witness.js';

/**
 * Rolling back the end of the log, as the database superuser would: the newest entries go
 * together with the heads that covered them and the entries recording those heads, so the
 * database alone looks intact. Only a head remembered outside it (the witness file) shows the
 * loss. Each case tampers inside a transaction, verifies inside it, and rolls back.
 */
describe('rollback of the audit log against the witness file', () => {
  let database: TestDatabase;
  let heads: TreeHeadRow[];
  let witnessDir: string;
  let witnessFile: string;
  const keys = buildAuditKeys();

  beforeAll(async () => {
    database = await createTestDatabase();
    witnessDir = mkdtempSync(path.join(tmpdir(), 'amparo-witness-'));
    witnessFile = path.join(witnessDir, 'witness.jsonl');
    const auditLog = await AuditLog.open({
      db: database.db,
      keys,
      signEveryEntries: 1_000_000,
      witnesses: [new FileWitness(witnessFile)],
    });
    for (let batch = 0; batch < 4; batch++) {
      await Promise.all(Array.from({ length: 20 }, () => auditLog.append(buildAuditEntry())));
      await auditLog.signTreeHead();
    }
    await Promise.all(Array.from({ length: 5 }, () => auditLog.append(buildAuditEntry())));
    await auditLog.close();
    heads = await auditLog.proofs.treeHeads(0, 100);
  });
  afterAll(async () => {
    await database?.close();
    if (witnessDir) rmSync(witnessDir, { recursive: true, force: true });
  });

  class Rollback extends Error {}

  async function witnessed(file: string = witnessFile): Promise<TrustedHeadSource[]> {
    const source = await loadTrustedHeads(file);
    return source === undefined ? [] : [source];
  }

  async function verifyAfter(
    tamper: (admin: Transaction<Database>) => Promise<unknown>,
    trustedHeads: TrustedHeadSource[],
  ): Promise<AuditVerifyReport> {
    let report: AuditVerifyReport | undefined;
    await database.asAdmin((admin) =>
      admin
        .transaction()
        .execute(async (trx) => {
          await tamper(trx);
          report = await verifyAuditLog(trx, keys, undefined, { trustedHeads });
          throw new Rollback();
        })
        .catch((error: unknown) => {
          if (!(error instanceof Rollback)) throw error;
        }),
    );
    return report!;
  }

  /** Removes head `head` and every later head, its record and every entry from it on. */
  const rollBackTo = (head: TreeHeadRow) => async (admin: Transaction<Database>) => {
    await sql`delete from audit_entry where leaf_index >= ${head.treeSize}`.execute(admin);
    await sql`delete from audit_tree_head where tree_size >= ${head.treeSize}`.execute(admin);
  };
  const truncateBoth = async (admin: Transaction<Database>) => {
    await sql`truncate audit_entry, audit_tree_head`.execute(admin);
  };

  it('writes every signed head to the witness file, and the honest log checks out against it', async () => {
    const contents = await readWitnessFile(witnessFile);
    expect(contents.headLines).toBe(4);
    expect(contents.largest?.treeSize).toBe(heads.at(-1)!.treeSize);
    const report = await verifyAuditLog(database.db, keys, undefined, {
      trustedHeads: await witnessed(),
    });
    expect(report).toMatchObject({ ok: true, problem: null });
    expect(report.trustedHeads).toEqual([
      {
        source: `witness file ${witnessFile}`,
        headsChecked: 4,
        largestTreeSize: heads.at(-1)!.treeSize,
        malformedLines: 0,
      },
    ]);
  });

  const depths = [
    { name: 'the newest head only', cut: () => heads.at(-1)! },
    { name: 'several heads', cut: () => heads[1]! },
    { name: 'every head (the entries before the first stay)', cut: () => heads[0]! },
  ];

  it.each(depths)(
    'detects a rollback of $name, which the database alone does not',
    async ({ cut }) => {
      const from = cut();
      const blind = await verifyAfter(rollBackTo(from), []);
      // The limitation the witness closes: without it the shortened log passes.
      expect(blind).toMatchObject({ ok: true, entriesChecked: from.treeSize });

      const report = await verifyAfter(rollBackTo(from), await witnessed());
      expect(report.ok).toBe(false);
      // Named at the first witnessed head the log no longer holds.
      expect(report.problem).toMatchObject({
        kind: 'log_rolled_back',
        leafIndex: from.treeSize,
        treeSize: from.treeSize,
      });
    },
  );

  it('detects a log emptied of entries and heads (TRUNCATE of both tables)', async () => {
    expect(await verifyAfter(truncateBoth, [])).toMatchObject({ ok: true, entriesChecked: 0 });
    const report = await verifyAfter(truncateBoth, await witnessed());
    expect(report.problem).toMatchObject({ kind: 'log_rolled_back', leafIndex: 0 });
  });

  it('detects a rollback written over again past the witnessed size, and newly witnessed', async () => {
    const last = heads.at(-1)!;
    const grownFile = path.join(witnessDir, 'grown.jsonl');
    const regrow = async (admin: Transaction<Database>) => {
      await rollBackTo(heads[2]!)(admin);
      // The application keeps appending (it holds the MAC key), so the log grows back...
      const texts = Array.from({ length: last.treeSize - heads[2]!.treeSize + 10 }, () =>
        canonicalEntry(buildAuditEntry(), new Date()),
      );
      const mac = new EntryMac(keys.masterKey);
      await appendEntryTexts(admin, mac, texts);
      // ...and signs a head over it, larger than any before, which the witness takes too.
      const signed = await signTreeHeadLocked(admin, {
        frontier: new MerkleFrontier(),
        key: keys.auditSigning,
        mac,
        onlyIfNew: false,
        lockTimeoutMs: 1_000,
      });
      copyFileSync(witnessFile, grownFile);
      await new FileWitness(grownFile).record(treeHeadView(signed.head));
    };
    const blind = await verifyAfter(regrow, []);
    expect(blind.ok).toBe(true);
    for (const file of [witnessFile, grownFile]) {
      const report = await verifyAfter(regrow, await witnessed(file));
      // Head 2's entries are intact, but its row and record were replaced.
      expect(report.problem).toMatchObject({
        kind: 'tree_head_missing',
        treeSize: heads[2]!.treeSize,
      });
    }
    // Head 3 covered entries that were replaced: no consistency proof from it holds.
    const rootHex = Buffer.from(last.rootHash).toString('hex');
    const fromLast = await verifyAfter(regrow, await witnessed(`${last.treeSize}:${rootHex}`));
    expect(fromLast.problem).toMatchObject({
      kind: 'trusted_head_inconsistent',
      treeSize: last.treeSize,
    });
  });

  it('detects a newest head deleted from the database while its entries stay', async () => {
    const last = heads.at(-1)!;
    // Its record (entry `treeSize`) names it too; the witness names it independently.
    const report = await verifyAfter(
      (admin) => sql`delete from audit_tree_head where tree_size = ${last.treeSize}`.execute(admin),
      await witnessed(),
    );
    expect(report.problem).toMatchObject({ kind: 'tree_head_missing', treeSize: last.treeSize });
  });

  it('takes a head written down as SIZE:ROOT, and refuses a witness line with a forged signature', async () => {
    const first = heads[0]!;
    const written = await witnessed(
      `${first.treeSize}:${Buffer.from(first.rootHash).toString('hex')}`,
    );
    expect((await verifyAuditLog(database.db, keys, undefined, { trustedHeads: written })).ok).toBe(
      true,
    );
    const wrongRoot = await witnessed(`${first.treeSize}:${'ab'.repeat(32)}`);
    const mismatch = await verifyAuditLog(database.db, keys, undefined, {
      trustedHeads: wrongRoot,
    });
    expect(mismatch.problem).toMatchObject({ kind: 'trusted_head_inconsistent' });

    const forgedFile = path.join(witnessDir, 'forged.jsonl');
    const contents = await readWitnessFile(witnessFile);
    const forged = { ...contents.largest!, treeSize: contents.largest!.treeSize + 500 };
    writeFileSync(
      forgedFile,
      `${JSON.stringify(contents.largest)}\n{"torn\n${JSON.stringify(forged)}\n`,
    );
    const refused = await verifyAuditLog(database.db, keys, undefined, {
      trustedHeads: await witnessed(forgedFile),
    });
    expect(refused.problem).toMatchObject({
      kind: 'trusted_head_invalid',
      treeSize: forged.treeSize,
    });
    expect(refused.trustedHeads).toEqual([expect.objectContaining({ malformedLines: 1 })]);
  });
});
