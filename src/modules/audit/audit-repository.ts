import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.js';

/*
 * All SQL of the audit module. Functions take a Kysely instance or a transaction: the caller
 * decides the transaction (DESIGN.md: opened at the edge, passed down).
 */

type Db = Kysely<Database>;

/**
 * Advisory lock key of the audit appender ("ampaudit" folded to fit int8). Every writer of
 * audit_entry and audit_tree_head takes it inside its transaction, so leaf indexes are
 * assigned densely and a tree head always covers exactly the committed prefix.
 */
const appendLockKey = '7020167290640967284';

export interface AuditEntryRow {
  leafIndex: number;
  entry: string;
  leafHash: Uint8Array;
  entryMac: Uint8Array;
}

export interface TreeHeadRow {
  treeSize: number;
  rootHash: Uint8Array;
  signedAt: Date;
  keyId: string;
  signature: Uint8Array;
  frontier: Uint8Array;
}

/** Takes the appender lock until the transaction ends. */
/**
 * Takes the appender lock and reads the next leaf index under it, in one call (migration
 * 0057), after naming the request for the change trail when `requestId` is given.
 */
export async function lockAuditLogForAppend(
  trx: Transaction<Database>,
  requestId: string | null,
): Promise<number> {
  const result = await sql<{
    next: bigint;
  }>`select audit_append_lock(${requestId}) as next`.execute(trx);
  const next = result.rows[0]?.next;
  if (next === undefined) throw new Error('audit_append_lock answered no row');
  return toIndex(next);
}

export async function lockAuditLog(trx: Transaction<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(${sql.raw(appendLockKey)})`.execute(trx);
}

/**
 * Bounds how long the rest of `trx` waits for any lock (SET LOCAL: ends with the transaction).
 * The signer sets it once it holds the appender lock, so appends never wait longer than this
 * behind a signing stuck on a locked table.
 */
export async function limitLockWait(trx: Transaction<Database>, timeoutMs: number): Promise<void> {
  await sql`select set_config('lock_timeout', ${`${Math.max(1, Math.round(timeoutMs))}ms`}, true)`.execute(
    trx,
  );
}

/** Number of entries in the log, i.e. the next leaf index (call under the lock to rely on it). */
export async function auditLogSize(db: Db): Promise<number> {
  const row = await db
    .selectFrom('audit_entry')
    .select(sql<bigint | null>`max(leaf_index)`.as('last'))
    .executeTakeFirst();
  return row?.last == null ? 0 : toIndex(row.last) + 1;
}

/** A staged entry (audit_pending, migration 0077): committed, not yet in the log. */
export interface PendingEntryRow {
  id: string;
  entry: string;
  entryMac: Uint8Array;
}

export async function insertPending(db: Db, rows: readonly PendingEntryRow[]): Promise<void> {
  if (rows.length === 0) return;
  await pendingInsert(rows).execute(db);
}

/** The insert of staged rows as one statement, to run alone or as another write's CTE. */
export function pendingInsert(rows: readonly PendingEntryRow[]): RawBuilder<unknown> {
  const values = sql.join(rows.map((row) => sql`(${row.id}::uuid, ${row.entry}, ${row.entryMac})`));
  return sql`insert into audit_pending (id, entry, entry_mac) values ${values}`;
}

/**
 * Takes the appender lock and answers the next leaf index and which of `ids` are still staged,
 * in one call (migration 0077); without ids, as `lockAuditLogForAppend`.
 */
export async function lockAuditLogForStaged(
  trx: Transaction<Database>,
  ids: readonly string[],
): Promise<{ next: number; present: Set<string> }> {
  if (ids.length === 0) return { next: await lockAuditLogForAppend(trx, null), present: new Set() };
  const result = await sql<{
    next: bigint;
    present: string[];
  }>`select * from audit_append_lock_staged(${[...ids]}::uuid[])`.execute(trx);
  const row = result.rows[0];
  if (row === undefined) throw new Error('audit_append_lock_staged answered no row');
  return { next: toIndex(row.next), present: new Set(row.present) };
}

/**
 * Removes staged rows now in the log, each checked against the text of the leaf it was given
 * (the database function does the removing: the application role has no DELETE there).
 */
export async function markPendingMoved(
  trx: Transaction<Database>,
  moved: readonly { id: string; leafIndex: number }[],
): Promise<number> {
  if (moved.length === 0) return 0;
  const ids = moved.map((each) => each.id);
  const leaves = moved.map((each) => String(each.leafIndex));
  const result = await sql<{
    removed: number;
  }>`select audit_pending_moved(${ids}::uuid[], ${leaves}::bigint[]) as removed`.execute(trx);
  return Number(result.rows[0]?.removed ?? 0);
}

/** Staged rows older than `olderThanMs`, oldest first: what a crashed writer left behind. */
export async function readStalePending(
  db: Db,
  olderThanMs: number,
  limit: number,
): Promise<PendingEntryRow[]> {
  const rows = await db
    .selectFrom('audit_pending')
    .select(['id', 'entry', 'entry_mac'])
    .where(
      'staged_at',
      '<',
      sql<Date>`now() - make_interval(secs => ${olderThanMs / 1000}::double precision)`,
    )
    .orderBy('staged_at')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ id: row.id, entry: row.entry, entryMac: row.entry_mac }));
}

/** Every staged row, for the verifier (a handful unless the mover is failing). */
export async function readAllPending(db: Db): Promise<PendingEntryRow[]> {
  const rows = await db
    .selectFrom('audit_pending')
    .select(['id', 'entry', 'entry_mac'])
    .orderBy('staged_at')
    .execute();
  return rows.map((row) => ({ id: row.id, entry: row.entry, entryMac: row.entry_mac }));
}

export async function insertEntries(db: Db, rows: readonly AuditEntryRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('audit_entry')
    .values(
      rows.map((row) => ({
        leaf_index: row.leafIndex,
        entry: row.entry,
        leaf_hash: row.leafHash,
        entry_mac: row.entryMac,
      })),
    )
    .execute();
}

/** Stored leaf hashes of [start, end), in order; the caller checks the count. */
export async function readLeafHashes(db: Db, start: number, end: number): Promise<Uint8Array[]> {
  const rows = await db
    .selectFrom('audit_entry')
    .select(['leaf_hash'])
    .where('leaf_index', '>=', start)
    .where('leaf_index', '<', end)
    .orderBy('leaf_index')
    .execute();
  return rows.map((row) => row.leaf_hash);
}

/** Up to `limit` whole rows from leaf index `start` on, in order (the verifier's pages). */
export async function readEntryPage(
  db: Db,
  start: number,
  limit: number,
): Promise<AuditEntryRow[]> {
  const rows = await db
    .selectFrom('audit_entry')
    .select(['leaf_index', 'entry', 'leaf_hash', 'entry_mac'])
    .where('leaf_index', '>=', start)
    .orderBy('leaf_index')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    leafIndex: toIndex(row.leaf_index),
    entry: row.entry,
    leafHash: row.leaf_hash,
    entryMac: row.entry_mac,
  }));
}

/** Entries about one person, newest first, strictly before `beforeIndex` when given. */
export async function readPersonEntries(
  db: Db,
  personId: string,
  beforeIndex: number | undefined,
  limit: number,
): Promise<{ leafIndex: number; entry: string }[]> {
  let query = db
    .selectFrom('audit_entry')
    .select(['leaf_index', 'entry'])
    .where('person_id', '=', personId);
  if (beforeIndex !== undefined) query = query.where('leaf_index', '<', beforeIndex);
  const rows = await query.orderBy('leaf_index', 'desc').limit(limit).execute();
  return rows.map((row) => ({ leafIndex: toIndex(row.leaf_index), entry: row.entry }));
}

/** The text of each entry at the given leaf indexes (those that exist). */
export async function readEntriesAt(
  db: Db,
  leafIndexes: readonly number[],
): Promise<Map<number, string>> {
  if (leafIndexes.length === 0) return new Map();
  const rows = await db
    .selectFrom('audit_entry')
    .select(['leaf_index', 'entry'])
    .where('leaf_index', 'in', [...leafIndexes])
    .execute();
  return new Map(rows.map((row) => [toIndex(row.leaf_index), row.entry]));
}

/** The person an entry is about, so a citizen may fetch proofs of their own entries only. */
export async function personOfLeaf(db: Db, leafIndex: number): Promise<string | null> {
  const row = await db
    .selectFrom('audit_entry')
    .select('person_id')
    .where('leaf_index', '=', leafIndex)
    .executeTakeFirst();
  return row?.person_id ?? null;
}

export async function insertTreeHead(db: Db, head: TreeHeadRow): Promise<void> {
  await db
    .insertInto('audit_tree_head')
    .values({
      tree_size: head.treeSize,
      root_hash: head.rootHash,
      signed_at: head.signedAt,
      key_id: head.keyId,
      signature: head.signature,
      frontier: head.frontier,
    })
    .execute();
}

export async function readLatestTreeHead(db: Db): Promise<TreeHeadRow | undefined> {
  const row = await treeHeadColumns(db).orderBy('tree_size', 'desc').limit(1).executeTakeFirst();
  return row === undefined ? undefined : toTreeHead(row);
}

export async function readTreeHeadAtSize(
  db: Db,
  treeSize: number,
): Promise<TreeHeadRow | undefined> {
  const row = await treeHeadColumns(db).where('tree_size', '=', treeSize).executeTakeFirst();
  return row === undefined ? undefined : toTreeHead(row);
}

/** Tree heads with tree_size ≥ `fromSize`, smallest first. */
export async function readTreeHeads(
  db: Db,
  fromSize: number,
  limit: number,
): Promise<TreeHeadRow[]> {
  const rows = await treeHeadColumns(db)
    .where('tree_size', '>=', fromSize)
    .orderBy('tree_size')
    .limit(limit)
    .execute();
  return rows.map(toTreeHead);
}

function treeHeadColumns(db: Db) {
  return db
    .selectFrom('audit_tree_head')
    .select(['tree_size', 'root_hash', 'signed_at', 'key_id', 'signature', 'frontier']);
}

function toTreeHead(row: {
  tree_size: bigint | number;
  root_hash: Uint8Array;
  signed_at: Date;
  key_id: string;
  signature: Uint8Array;
  frontier: Uint8Array;
}): TreeHeadRow {
  return {
    treeSize: toIndex(row.tree_size),
    rootHash: row.root_hash,
    signedAt: row.signed_at,
    keyId: row.key_id,
    signature: row.signature,
    frontier: row.frontier,
  };
}

/** int8 arrives as bigint; every index and size we hold stays below 2^53. */
export function toIndex(value: bigint | number | string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number))
    throw new RangeError(`audit index ${value} is not a safe integer`);
  return number;
}

/**
 * Whether the leaf holds this entry: asked after the transaction that appended it ended, so it
 * answers whether that transaction committed (a rolled-back leaf index is reused by another
 * entry, whose text differs).
 */
export async function leafHolds(db: Db, leafIndex: number, text: string): Promise<boolean> {
  const row = await db
    .selectFrom('audit_entry')
    .select('entry')
    .where('leaf_index', '=', leafIndex)
    .executeTakeFirst();
  return row?.entry === text;
}

/** Whether an entry staged with this id is still waiting to be moved into the log. */
export async function pendingHolds(db: Db, id: string): Promise<boolean> {
  const row = await db
    .selectFrom('audit_pending')
    .select('id')
    .where('id', '=', id)
    .executeTakeFirst();
  return row !== undefined;
}
