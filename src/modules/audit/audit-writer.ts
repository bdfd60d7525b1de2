import assert from 'node:assert/strict';
import type { Transaction } from 'kysely';
import type { SigningKey } from '../../platform/crypto/key-store.js';
import type { Database } from '../../platform/db/schema.js';
import type { AuditEntryInput } from '../../shared/audit/audit-entry.js';
import {
  type AuditEntryRow,
  auditLogSize,
  insertEntries,
  insertTreeHead,
  limitLockWait,
  lockAuditLog,
  lockAuditLogForAppend,
  lockAuditLogForStaged,
  markPendingMoved,
  readLatestTreeHead,
  readLeafHashes,
  type TreeHeadRow,
} from './audit-repository.js';
import { canonicalEntry } from './canonical-entry.js';
import type { EntryMac } from './entry-mac.js';
import { auditLimits } from './limits.js';
import {
  hashesEqual,
  leafHash,
  MerkleFrontier,
  signTreeHead,
  verifyTreeHead,
} from './merkle/index.js';

/** The action of the entry the signer appends after each tree head it signs. */
export const treeHeadSignAction = 'audit.tree_head.sign';

/**
 * Appends canonical entries with the next dense leaf indexes, under the appender lock held
 * until `trx` ends. Returns the first index assigned.
 */
export async function appendEntryTexts(
  trx: Transaction<Database>,
  mac: EntryMac,
  texts: readonly string[],
  requestId: string | null = null,
): Promise<number> {
  const first = await lockAuditLogForAppend(trx, requestId);
  const rows: AuditEntryRow[] = texts.map((entry, i) => {
    const bytes = Buffer.from(entry, 'utf8');
    return {
      leafIndex: first + i,
      entry,
      leafHash: leafHash(bytes),
      entryMac: mac.compute(first + i, bytes),
    };
  });
  await insertEntries(trx, rows);
  return first;
}

/** An entry for the log: new text, or a staged one (audit_pending) moved in by its id. */
export interface QueuedText {
  text: string;
  pendingId?: string;
}

/**
 * Group commit's write (under the appender lock until `trx` ends): new texts and staged
 * entries together, with dense leaf indexes. A staged entry that another mover already took
 * (a sweep racing the writer's own move) is skipped, and every staged entry moved is removed
 * from audit_pending in the same transaction. Answers each item's leaf index (undefined for a
 * skipped one) and the log's size after it.
 */
export async function appendQueuedTexts(
  trx: Transaction<Database>,
  mac: EntryMac,
  items: readonly QueuedText[],
): Promise<{ leafIndexes: (number | undefined)[]; size: number }> {
  const staged = items.flatMap((item) => (item.pendingId === undefined ? [] : [item.pendingId]));
  const locked = await lockAuditLogForStaged(trx, staged);
  const present = locked.present;
  let next = locked.next;
  const moved: { id: string; leafIndex: number }[] = [];
  const leafIndexes = items.map((item) => {
    if (item.pendingId === undefined) return next++;
    if (!present.has(item.pendingId)) return undefined;
    present.delete(item.pendingId); // the same staged entry twice in one batch: once
    moved.push({ id: item.pendingId, leafIndex: next });
    return next++;
  });
  const rows: AuditEntryRow[] = [];
  items.forEach((item, i) => {
    const leafIndex = leafIndexes[i];
    if (leafIndex === undefined) return;
    const bytes = Buffer.from(item.text, 'utf8');
    rows.push({
      leafIndex,
      entry: item.text,
      leafHash: leafHash(bytes),
      entryMac: mac.compute(leafIndex, bytes),
    });
  });
  await insertEntries(trx, rows);
  const removed = await markPendingMoved(trx, moved);
  if (removed !== moved.length) {
    throw new Error(`moved ${moved.length} staged audit entries but removed ${removed}`);
  }
  return { leafIndexes, size: next };
}

/**
 * The entry recording that head `size` was signed. It puts every head into the log itself, so
 * deleting a head row is detected: a later entry names it.
 */
export function treeHeadRecord(size: number, rootHash: Uint8Array): AuditEntryInput {
  return {
    actor: { kind: 'system', id: 'audit-signer', role: null, region: null },
    action: treeHeadSignAction,
    resource: { type: 'audit', id: `tree-head:${size}:${Buffer.from(rootHash).toString('hex')}` },
    purpose: 'audit',
    fields: [],
    outcome: 'allowed',
    reasonCode: null,
    requestId: null,
  };
}

/** Reads `tree-head:<size>:<root hex>` back from a record's resource id. */
export function parseTreeHeadRecordId(
  id: string | null,
): { size: number; rootHex: string } | undefined {
  const match = /^tree-head:(\d{1,16}):([0-9a-f]{64})$/.exec(id ?? '');
  if (match === null) return undefined;
  return { size: Number(match[1]), rootHex: match[2]! };
}

export interface SignOutcome {
  head: TreeHeadRow;
  /** The frontier at `head.treeSize`, to keep in memory once the transaction commits. */
  frontier: MerkleFrontier;
  created: boolean;
}

/**
 * Signs a head over every committed entry, inside `trx` and under the appender lock, so no
 * entry is appended between reading the size and storing the head. `frontier` (a prefix of the
 * log) is copied, caught up from the stored leaf hashes, and returned with the head; the caller
 * adopts it after commit. With `onlyIfNew`, nothing is signed unless entries other than the
 * previous head's own record exist.
 */
export async function signTreeHeadLocked(
  trx: Transaction<Database>,
  props: {
    frontier: MerkleFrontier;
    key: SigningKey;
    mac: EntryMac;
    onlyIfNew: boolean;
    lockTimeoutMs: number;
  },
): Promise<SignOutcome> {
  await lockAuditLog(trx);
  await limitLockWait(trx, props.lockTimeoutMs);
  const size = await auditLogSize(trx);
  const latest = await readLatestTreeHead(trx);
  const frontier = MerkleFrontier.fromState(props.frontier.toState());
  if (
    latest !== undefined &&
    (size <= latest.treeSize || (props.onlyIfNew && size <= latest.treeSize + 1))
  ) {
    return { head: latest, frontier, created: false };
  }
  await catchUp(trx, frontier, size);
  const rootHash = frontier.root();
  const timestampMs = Date.now();
  const signed = signTreeHead(
    { size, rootHash, timestampMs, keyId: props.key.kid },
    props.key.privateKey,
  );
  const head: TreeHeadRow = {
    treeSize: size,
    rootHash,
    signedAt: new Date(timestampMs),
    keyId: props.key.kid,
    signature: signed.signature,
    frontier: Buffer.concat(frontier.subtreeRoots()),
  };
  await insertTreeHead(trx, head);
  const recordText = canonicalEntry(treeHeadRecord(size, rootHash), head.signedAt);
  const recordIndex = await appendEntryTexts(trx, props.mac, [recordText]);
  assert.equal(recordIndex, size, 'the head record must follow the head it records');
  return { head, frontier, created: true };
}

async function catchUp(
  trx: Transaction<Database>,
  frontier: MerkleFrontier,
  size: number,
): Promise<void> {
  if (frontier.size > size) {
    throw new Error(
      `the audit log shrank from ${frontier.size} to ${size} entries: run amparo audit verify`,
    );
  }
  for (let start = frontier.size; start < size; start += auditLimits.leafHashPageRows) {
    const end = Math.min(size, start + auditLimits.leafHashPageRows);
    const hashes = await readLeafHashes(trx, start, end);
    if (hashes.length !== end - start) {
      throw new Error(`audit entries ${start}..${end - 1} are not dense: run amparo audit verify`);
    }
    for (const hash of hashes) frontier.append(hash);
  }
}

/**
 * The frontier stored with a head, trusted only when its signature verifies and the subtree
 * roots fold to the signed root (forging them would need a SHA-256 collision).
 */
export function frontierFromHead(head: TreeHeadRow, key: SigningKey): MerkleFrontier {
  const signed = {
    size: head.treeSize,
    rootHash: head.rootHash,
    timestampMs: head.signedAt.getTime(),
    keyId: head.keyId,
    signature: head.signature,
  };
  if (head.keyId !== key.kid || !verifyTreeHead(signed, key.publicKey)) {
    throw new Error(`audit tree head ${head.treeSize} does not verify: run amparo audit verify`);
  }
  const roots: string[] = [];
  for (let offset = 0; offset < head.frontier.length; offset += 32) {
    roots.push(Buffer.from(head.frontier.subarray(offset, offset + 32)).toString('hex'));
  }
  const frontier = MerkleFrontier.fromState({ size: head.treeSize, subtreeRootsHex: roots });
  if (!hashesEqual(frontier.root(), head.rootHash)) {
    throw new Error(`audit tree head ${head.treeSize} has a frontier that is not its root`);
  }
  return frontier;
}
