import type { Kysely, Transaction } from 'kysely';
import type { KeyStore } from '../../platform/crypto/key-store.js';
import type { Database } from '../../platform/db/schema.js';
import type { AuditEntryInput } from './audit-entry.js';
import { AuditProofs } from './audit-proofs.js';
import { readLatestTreeHead, type TreeHeadRow } from './audit-repository.js';
import { appendEntryTexts, frontierFromHead, signTreeHeadLocked } from './audit-writer.js';
import { canonicalEntry } from './canonical-entry.js';
import { EntryMac } from './entry-mac.js';
import { GroupCommitQueue } from './group-commit-queue.js';
import { auditLimits } from './limits.js';
import { MerkleFrontier } from './merkle/index.js';

export interface AuditLogOptions {
  db: Kysely<Database>;
  keys: Pick<KeyStore, 'masterKey' | 'auditSigning'>;
  /** Sign a head once this many entries are uncovered (default 1,000). */
  signEveryEntries?: number;
  /** Interval of the timer started by `startTimer()` (default 60 s). */
  signEveryMs?: number;
  flushDelayMs?: number;
  flushEntriesMax?: number;
  /** Where failures of background signing go; they never reject a caller's append. */
  onBackgroundError?: (error: unknown) => void;
}

/** Where an appended entry landed. */
export interface AppendedEntry {
  leafIndex: number;
  /** The entry's `time` (ISO-8601 UTC, milliseconds). */
  time: string;
}

interface Queued {
  text: string;
  time: string;
}

/**
 * The tamper-evident audit log (DESIGN.md safeguard 3): appends entries with group commit,
 * signs tree heads every N entries and every T seconds, and serves proofs.
 *
 * @example
 * const auditLog = await AuditLog.open({ db, keys });
 * auditLog.startTimer(); // the server does this; CLI commands and tests need not
 * const { leafIndex } = await auditLog.append(entry); // resolves once the entry is committed
 * await auditLog.close(); // writes what is queued, stops the timer
 */
export class AuditLog {
  readonly proofs: AuditProofs;
  readonly #db: Kysely<Database>;
  readonly #keys: AuditLogOptions['keys'];
  readonly #mac: EntryMac;
  readonly #queue: GroupCommitQueue<Queued, AppendedEntry>;
  readonly #signEveryEntries: number;
  readonly #signEveryMs: number;
  readonly #onBackgroundError: (error: unknown) => void;
  #frontier: MerkleFrontier;
  #latestHeadSize: number;
  #committedSize = 0;
  #signing: Promise<TreeHeadRow> | undefined;
  #backgroundSign: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;

  private constructor(options: AuditLogOptions, frontier: MerkleFrontier, latestHeadSize: number) {
    this.#db = options.db;
    this.#keys = options.keys;
    this.#mac = new EntryMac(options.keys.masterKey);
    this.#frontier = frontier;
    this.#latestHeadSize = latestHeadSize;
    this.#signEveryEntries = options.signEveryEntries ?? auditLimits.signEveryEntries;
    this.#signEveryMs = options.signEveryMs ?? auditLimits.signEveryMs;
    this.#onBackgroundError = options.onBackgroundError ?? (() => undefined);
    this.#queue = new GroupCommitQueue((items) => this.#flush(items), {
      delayMs: options.flushDelayMs ?? auditLimits.flushDelayMs,
      batchMax: options.flushEntriesMax ?? auditLimits.flushEntriesMax,
      queueMax: auditLimits.queueEntriesMax,
      flushesInFlightMax: auditLimits.flushesInFlightMax,
    });
    this.proofs = new AuditProofs(options.db);
  }

  /**
   * Opens the log: resumes the in-memory frontier from the latest signed head (checked against
   * its signature and root) so no history is re-read; a head signed by an earlier key is not
   * trusted, and the first signing then re-reads the leaf hashes instead.
   */
  static async open(options: AuditLogOptions): Promise<AuditLog> {
    const latest = await readLatestTreeHead(options.db);
    let frontier = new MerkleFrontier();
    if (latest !== undefined && latest.keyId === options.keys.auditSigning.kid) {
      frontier = frontierFromHead(latest, options.keys.auditSigning);
    }
    return new AuditLog(options, frontier, latest?.treeSize ?? 0);
  }

  /**
   * Queues one entry; resolves when the batch holding it is committed, rejects if that batch
   * failed. A request must await this before it returns person data.
   */
  append(entry: AuditEntryInput): Promise<AppendedEntry> {
    let text: string;
    let time: string;
    try {
      const now = new Date();
      text = canonicalEntry(entry, now);
      time = now.toISOString();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#queue.submit({ text, time });
  }

  /**
   * Appends entries inside the caller's transaction, so they commit or roll back with its
   * other writes. The appender lock is held until that transaction ends: keep it short, and
   * never await `append()` inside it (that batch would wait for this lock: a deadlock).
   */
  async appendInTransaction(
    trx: Transaction<Database>,
    entries: readonly AuditEntryInput[],
  ): Promise<AppendedEntry[]> {
    const now = new Date();
    const texts = entries.map((entry) => canonicalEntry(entry, now));
    const first = await appendEntryTexts(trx, this.#mac, texts);
    return texts.map((_, i) => ({ leafIndex: first + i, time: now.toISOString() }));
  }

  /** Signs a head over everything committed now; returns the latest head when nothing is new. */
  signTreeHead(): Promise<TreeHeadRow> {
    return this.#sign(false);
  }

  /** Starts signing every `signEveryMs` when new entries exist; `close()` stops it. */
  startTimer(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#signInBackground(), this.#signEveryMs);
    // Never the reason a process stays alive; the server keeps itself alive by listening.
    this.#timer.unref();
  }

  /** Writes queued entries, waits for background signing, and stops the timer. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#queue.close();
    while (this.#backgroundSign !== undefined) await this.#backgroundSign;
  }

  async #flush(items: Queued[]): Promise<AppendedEntry[]> {
    const first = await this.#db.transaction().execute((trx) =>
      appendEntryTexts(
        trx,
        this.#mac,
        items.map((item) => item.text),
      ),
    );
    this.#committedSize = Math.max(this.#committedSize, first + items.length);
    if (this.#committedSize - this.#latestHeadSize >= this.#signEveryEntries) {
      this.#signInBackground();
    }
    return items.map((item, i) => ({ leafIndex: first + i, time: item.time }));
  }

  #signInBackground(): void {
    if (this.#backgroundSign !== undefined) return;
    this.#backgroundSign = this.#sign(true)
      .then(() => undefined, this.#onBackgroundError)
      .finally(() => {
        this.#backgroundSign = undefined;
      });
  }

  /** One signing at a time in this process; other processes are kept out by the lock. */
  async #sign(onlyIfNew: boolean): Promise<TreeHeadRow> {
    while (this.#signing !== undefined) await this.#signing.catch(() => undefined);
    const signing = this.#db.transaction().execute(async (trx) => {
      const outcome = await signTreeHeadLocked(trx, {
        frontier: this.#frontier,
        key: this.#keys.auditSigning,
        mac: this.#mac,
        onlyIfNew,
      });
      return outcome;
    });
    this.#signing = signing.then((outcome) => outcome.head);
    try {
      const outcome = await signing;
      // Adopted only after commit: a rolled-back signing leaves the old, still true, frontier.
      this.#frontier = outcome.frontier;
      this.#latestHeadSize = outcome.head.treeSize;
      return outcome.head;
    } finally {
      this.#signing = undefined;
    }
  }
}
