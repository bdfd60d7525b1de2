import { performance } from 'node:perf_hooks';
import { type Kysely, sql } from 'kysely';
import { verifyAuditLog } from '../src/modules/audit/audit-verify.js';
import { treeHeadRecord } from '../src/modules/audit/audit-writer.js';
import { canonicalEntry } from '../src/modules/audit/canonical-entry.js';
import { EntryMac } from '../src/modules/audit/entry-mac.js';
import { leafHash, MerkleFrontier, signTreeHead } from '../src/modules/audit/merkle/index.js';
import type { Database } from '../src/platform/db/schema.js';
import {
  benchAuditKeys,
  benchEntry,
  createThrowawayDatabase,
  loadAverage,
} from './audit-append.js';

/**
 * `verifyAuditLog` over a large log (target: 1,000,000 entries in ≤ 30 s). The log is written
 * directly, as the appender would have written it — entries, MACs, a signed head every 1,000
 * entries followed by its record — with multi-row inserts, so that building it is not timed.
 *
 *   npm run bench -- audit-verify [entries=1000000]
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const entries = Number(args[0] ?? 1_000_000);
  const database = await createThrowawayDatabase();
  try {
    const keys = benchAuditKeys();
    const buildStarted = performance.now();
    const heads = await writeLog(database.admin, keys, entries);
    const buildMs = performance.now() - buildStarted;
    await sql`vacuum analyze audit_entry`.execute(database.admin);
    const started = performance.now();
    const report = await verifyAuditLog(database.app, keys, (checked, total) => {
      if (process.stderr.isTTY) process.stderr.write(`\rverify ${checked}/${total}`);
    });
    const durationMs = performance.now() - started;
    if (process.stderr.isTTY) process.stderr.write('\n');
    if (!report.ok)
      throw new Error(`verify failed on an honest log: ${JSON.stringify(report.problem)}`);
    return {
      entries: report.entriesChecked,
      treeHeads: heads,
      buildMs: Math.round(buildMs),
      verifyMs: Math.round(durationMs),
      entriesPerSecond: Math.round(report.entriesChecked / (durationMs / 1000)),
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      loadAverage: loadAverage(),
    };
  } finally {
    await database.drop();
  }
}

interface Row {
  leafIndex: number;
  entry: string;
  leafHash: Uint8Array;
  mac: Uint8Array;
}

/** Writes `entries` entries plus a head and its record every 1,000; returns the head count. */
export async function writeLog(
  db: Kysely<Database>,
  keys: ReturnType<typeof benchAuditKeys>,
  entries: number,
): Promise<number> {
  const mac = new EntryMac(keys.masterKey);
  const frontier = new MerkleFrontier();
  let pending: Row[] = [];
  let heads = 0;
  const inserts: Promise<void>[] = [];
  const add = (text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    const index = frontier.size;
    const hash = leafHash(bytes);
    pending.push({ leafIndex: index, entry: text, leafHash: hash, mac: mac.compute(index, bytes) });
    frontier.append(hash);
  };
  while (frontier.size < entries) {
    add(canonicalEntry(benchEntry(), new Date()));
    if (frontier.size % 1_000 === 0) {
      heads += 1;
      await insertHead(db, keys, frontier);
      add(canonicalEntry(treeHeadRecord(frontier.size, frontier.root()), new Date()));
    }
    if (pending.length >= 10_000) {
      inserts.push(insertRows(db, pending));
      pending = [];
      // Two inserts in flight: one per core of the reference machine.
      if (inserts.length >= 2) await inserts.shift();
    }
  }
  inserts.push(insertRows(db, pending));
  await Promise.all(inserts);
  return heads;
}

async function insertHead(
  db: Kysely<Database>,
  keys: ReturnType<typeof benchAuditKeys>,
  frontier: MerkleFrontier,
): Promise<void> {
  const timestampMs = Date.now();
  const rootHash = frontier.root();
  const head = { size: frontier.size, rootHash, timestampMs, keyId: keys.auditSigning.kid };
  const signed = signTreeHead(head, keys.auditSigning.privateKey);
  await db
    .insertInto('audit_tree_head')
    .values({
      tree_size: frontier.size,
      root_hash: rootHash,
      signed_at: new Date(timestampMs),
      key_id: keys.auditSigning.kid,
      signature: signed.signature,
      frontier: Buffer.concat(frontier.subtreeRoots()),
    })
    .execute();
}

/** One statement per 10,000 rows: arrays unnested server-side, hashes as hex text. */
async function insertRows(db: Kysely<Database>, rows: readonly Row[]): Promise<void> {
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
  await sql`
    insert into audit_entry (leaf_index, entry, leaf_hash, entry_mac)
    select i, e, decode(h, 'hex'), decode(m, 'hex')
    from unnest(${rows.map((r) => r.leafIndex)}::bigint[], ${rows.map((r) => r.entry)}::text[],
                ${rows.map((r) => hex(r.leafHash))}::text[], ${rows.map((r) => hex(r.mac))}::text[])
      as t(i, e, h, m)`.execute(db);
}
