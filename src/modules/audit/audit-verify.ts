import type { Kysely } from 'kysely';
import type { KeyStore } from '../../platform/crypto/key-store.js';
import type { Database } from '../../platform/db/schema.js';
import type { AuditProblem, AuditProblemKind } from './audit-problem.js';
import {
  type AuditEntryRow,
  auditLogSize,
  readAllPending,
  readEntryPage,
  readTreeHeads,
  type TreeHeadRow,
} from './audit-repository.js';
import { parseTreeHeadRecordId, treeHeadSignAction } from './audit-writer.js';
import { EntryMac, PendingEntryMac } from './entry-mac.js';
import { auditLimits } from './limits.js';
import {
  emptyRootHash,
  generateConsistencyProof,
  hashesEqual,
  leafHash,
  verifyConsistencyProof,
  verifyTreeHead,
} from './merkle/index.js';
import { MerkleLevels } from './merkle-levels.js';
import {
  type CheckedLog,
  checkTrustedSource,
  type TrustedHeadSource,
  type TrustedSourceReport,
} from './trusted-heads.js';

export interface AuditVerifyReport {
  ok: boolean;
  entriesChecked: number;
  treeHeadsChecked: number;
  latestTreeHead: { treeSize: number; rootHashHex: string } | null;
  /** Entries after the latest head: protected by their MACs only until the next head. */
  entriesAfterLatestHead: number;
  /**
   * Heads remembered outside the database that the log was checked against (empty: a rollback
   * of the log's end, heads included, cannot be seen from the database alone).
   */
  trustedHeads: TrustedSourceReport[];
  /**
   * Staged entries (audit_pending) not yet moved into the log: committed with their request,
   * protected by their HMAC only. More than a few means the mover is failing.
   */
  pendingEntries: number;
  problem: AuditProblem | null;
}

export interface VerifyOptions {
  /** Heads remembered outside the database: the witness file's, `--trusted-head`. */
  trustedHeads?: readonly TrustedHeadSource[];
}

/** Called after each page: entries checked so far and the log size seen at the start. */
export type VerifyProgress = (checked: number, total: number) => void;

/**
 * Checks the whole audit log from the database, trusting nothing stored in it: every leaf hash
 * is recomputed from the entry text, every MAC checked with the key held outside the database,
 * indexes must be dense, every head's signature, root and consistency with the previous head
 * are checked, and each head named by a signing record in the log must still exist. Streams the
 * entries in pages; memory holds the leaf hashes (32 bytes per entry) and the tree heads.
 *
 * @example
 * const report = await verifyAuditLog(db, keys, (done, total) => bar.update(done));
 * if (!report.ok) console.error(report.problem); // { kind: 'entry_edited', leafIndex: 41, … }
 */
export async function verifyAuditLog(
  db: Kysely<Database>,
  keys: Pick<KeyStore, 'masterKey' | 'auditSigning'>,
  onProgress: VerifyProgress = () => undefined,
  options: VerifyOptions = {},
): Promise<AuditVerifyReport> {
  const total = await auditLogSize(db);
  const heads = await readAllTreeHeads(db);
  const verifier = new LogVerifier(heads, keys);
  let problem = await verifier.checkDueHeads();
  let page = readEntryPage(db, 0, auditLimits.verifyPageRows);
  while (problem === null) {
    const rows = await page;
    if (rows.length === 0) break;
    // Read the next page while this one is checked: the database and the hashing overlap.
    page = readEntryPage(db, rows.at(-1)!.leafIndex + 1, auditLimits.verifyPageRows);
    for (const row of rows) {
      problem = verifier.checkEntry(row);
      // Awaiting only when a head is due keeps the per-entry path synchronous and fast.
      if (problem === null && verifier.headDue) problem = await verifier.checkDueHeads();
      if (problem !== null) break;
    }
    onProgress(verifier.size, total);
  }
  // A prefetched page left behind by an early stop must not become an unhandled rejection.
  await page.catch(() => undefined);
  problem ??= verifier.checkHeadsBeyondLog();
  // Last: a rollback shows at the end of the log, after everything before it checked out.
  const trustedHeads: TrustedSourceReport[] = [];
  for (const source of options.trustedHeads ?? []) {
    if (problem !== null) break;
    const checked = await checkTrustedSource(verifier, source, keys);
    problem = checked.problem;
    trustedHeads.push(checked.report);
  }
  const pending = await readAllPending(db);
  if (problem === null) problem = checkPending(pending, keys);
  return { ...verifier.report(problem), trustedHeads, pendingEntries: pending.length };
}

/** Every staged entry must carry its HMAC; the first that does not is the problem. */
function checkPending(
  rows: Awaited<ReturnType<typeof readAllPending>>,
  keys: Pick<KeyStore, 'masterKey'>,
): AuditProblem | null {
  const mac = new PendingEntryMac(keys.masterKey);
  const bad = rows.find((row) => !mac.verify(row.id, Buffer.from(row.entry, 'utf8'), row.entryMac));
  if (bad === undefined) return null;
  return {
    kind: 'pending_entry_mac_invalid',
    leafIndex: null,
    treeSize: null,
    detail: `staged audit entry ${bad.id} does not carry a valid HMAC: forged or edited in the database`,
  };
}

async function readAllTreeHeads(db: Kysely<Database>): Promise<TreeHeadRow[]> {
  const heads: TreeHeadRow[] = [];
  for (;;) {
    const from = heads.length === 0 ? 0 : heads.at(-1)!.treeSize + 1;
    const page = await readTreeHeads(db, from, auditLimits.treeHeadPageSizeMax);
    heads.push(...page);
    if (page.length < auditLimits.treeHeadPageSizeMax) return heads;
  }
}

/** State of one verification pass; entries must be fed in leaf order. */
class LogVerifier implements CheckedLog {
  readonly #heads: readonly TreeHeadRow[];
  readonly #headsBySize: Map<number, TreeHeadRow>;
  readonly #keys: Pick<KeyStore, 'masterKey' | 'auditSigning'>;
  readonly #mac: EntryMac;
  // Every subtree hash of the entries checked so far: roots and proofs without re-hashing.
  readonly #tree = new MerkleLevels();
  #nextHead = 0;
  #previousHead: { treeSize: number; rootHash: Uint8Array } | undefined;

  constructor(heads: readonly TreeHeadRow[], keys: Pick<KeyStore, 'masterKey' | 'auditSigning'>) {
    this.#heads = heads;
    this.#headsBySize = new Map(heads.map((head) => [head.treeSize, head]));
    this.#keys = keys;
    this.#mac = new EntryMac(keys.masterKey);
  }

  get size(): number {
    return this.#tree.size;
  }

  checkEntry(row: AuditEntryRow): AuditProblem | null {
    const expected = this.#tree.size;
    if (row.leafIndex !== expected) {
      return entryProblem(
        'entry_missing',
        expected,
        `no entry at ${expected}: the next stored entry is ${row.leafIndex}`,
      );
    }
    const bytes = Buffer.from(row.entry, 'utf8');
    const computed = leafHash(bytes);
    if (!hashesEqual(computed, row.leafHash)) {
      return entryProblem(
        'entry_edited',
        expected,
        'the entry text does not match its stored leaf hash',
      );
    }
    if (!this.#mac.verify(expected, bytes, row.entryMac)) {
      return entryProblem(
        'entry_mac_invalid',
        expected,
        'the MAC does not match: the entry was rewritten, moved or forged without the MAC key',
      );
    }
    const recordProblem = this.#checkHeadRecord(row);
    if (recordProblem !== null) return recordProblem;
    this.#tree.append(computed);
    return null;
  }

  /** The root of the first `size` entries checked (the empty tree's root for 0). */
  rootAt(size: number): Uint8Array {
    return size === 0 ? emptyRootHash() : this.#tree.root(size);
  }

  /** True when a tree head covers exactly the entries checked so far. */
  get headDue(): boolean {
    return this.#heads[this.#nextHead]?.treeSize === this.#tree.size;
  }

  /** Checks the head(s) of the current size (sizes are unique, so at most one). */
  async checkDueHeads(): Promise<AuditProblem | null> {
    while (this.headDue) {
      const head = this.#heads[this.#nextHead]!;
      this.#nextHead += 1;
      const problem = await this.#checkHead(head);
      if (problem !== null) return problem;
    }
    return null;
  }

  /** A head larger than the log means entries it covered were deleted from the end. */
  checkHeadsBeyondLog(): AuditProblem | null {
    const head = this.#heads[this.#nextHead];
    if (head === undefined) return null;
    const missing = this.#tree.size;
    return {
      kind: 'entry_missing',
      leafIndex: missing,
      treeSize: head.treeSize,
      detail: `tree head ${head.treeSize} covers entries from ${missing} on, which are gone`,
    };
  }

  consistencyProof(fromSize: number, toSize: number): Promise<Uint8Array[]> {
    return generateConsistencyProof(this.#tree, fromSize, toSize);
  }

  storedRootAt(size: number): Uint8Array | undefined {
    return this.#headsBySize.get(size)?.rootHash;
  }

  report(problem: AuditProblem | null): Omit<AuditVerifyReport, 'trustedHeads' | 'pendingEntries'> {
    const latest = this.#previousHead;
    return {
      ok: problem === null,
      entriesChecked: this.#tree.size,
      treeHeadsChecked: this.#nextHead,
      latestTreeHead: latest
        ? { treeSize: latest.treeSize, rootHashHex: Buffer.from(latest.rootHash).toString('hex') }
        : null,
      entriesAfterLatestHead: this.#tree.size - (latest?.treeSize ?? 0),
      problem,
    };
  }

  async #checkHead(head: TreeHeadRow): Promise<AuditProblem | null> {
    const size = head.treeSize;
    if (head.keyId !== this.#keys.auditSigning.kid) {
      return headProblem(
        'tree_head_unknown_key',
        size,
        `signed with key ${head.keyId}, not the audit key ${this.#keys.auditSigning.kid}`,
      );
    }
    const signed = {
      size,
      rootHash: head.rootHash,
      timestampMs: head.signedAt.getTime(),
      keyId: head.keyId,
      signature: head.signature,
    };
    if (!verifyTreeHead(signed, this.#keys.auditSigning.publicKey)) {
      return headProblem('tree_head_signature_invalid', size, 'the signature does not verify');
    }
    if (!hashesEqual(this.rootAt(size), head.rootHash)) {
      return headProblem(
        'tree_head_root_mismatch',
        size,
        'the root recomputed from the entries differs from the signed root',
      );
    }
    const previous = this.#previousHead;
    this.#previousHead = { treeSize: size, rootHash: head.rootHash };
    if (previous === undefined) return null;
    return this.#consistencyProblem(previous, head);
  }

  /** Generates the proof an outside auditor would fetch, and verifies it like they would. */
  async #consistencyProblem(
    previous: { treeSize: number; rootHash: Uint8Array },
    head: TreeHeadRow,
  ): Promise<AuditProblem | null> {
    const proof = await this.consistencyProof(previous.treeSize, head.treeSize);
    const consistent = verifyConsistencyProof({
      oldSize: previous.treeSize,
      newSize: head.treeSize,
      oldRoot: previous.rootHash,
      newRoot: head.rootHash,
      proof,
    });
    return consistent
      ? null
      : headProblem(
          'tree_head_inconsistent',
          head.treeSize,
          `not consistent with tree head ${previous.treeSize}`,
        );
  }

  #checkHeadRecord(row: AuditEntryRow): AuditProblem | null {
    // Canonical JSON sorts keys, so "action" comes first; the MAC has vouched for the text.
    if (!row.entry.startsWith(`{"action":"${treeHeadSignAction}"`)) return null;
    const resource: unknown = Reflect.get(JSON.parse(row.entry), 'resource');
    const id =
      typeof resource === 'object' && resource !== null ? Reflect.get(resource, 'id') : null;
    const named = parseTreeHeadRecordId(typeof id === 'string' ? id : null);
    if (named === undefined) return null;
    const head = this.#headsBySize.get(named.size);
    if (head === undefined || Buffer.from(head.rootHash).toString('hex') !== named.rootHex) {
      return {
        kind: 'tree_head_missing',
        leafIndex: row.leafIndex,
        treeSize: named.size,
        detail: `entry ${row.leafIndex} records tree head ${named.size}, which is not in the database`,
      };
    }
    return null;
  }
}

function entryProblem(kind: AuditProblemKind, leafIndex: number, detail: string): AuditProblem {
  return { kind, leafIndex, treeSize: null, detail };
}

function headProblem(kind: AuditProblemKind, treeSize: number, detail: string): AuditProblem {
  return { kind, leafIndex: null, treeSize, detail };
}
