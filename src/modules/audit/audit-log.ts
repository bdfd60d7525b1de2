import { randomUUID } from 'node:crypto';
import type { Kysely, RawBuilder, Transaction } from 'kysely';
import type { KeyStore } from '../../platform/crypto/key-store.js';
import type { Database } from '../../platform/db/schema.js';
import type { AuditEntryInput } from '../../shared/audit/audit-entry.js';
import { AuditProofs } from './audit-proofs.js';
import {
  leafHolds,
  pendingHolds,
  pendingInsert,
  readLatestTreeHead,
  readStalePending,
  type TreeHeadRow,
} from './audit-repository.js';
import {
  appendEntryTexts,
  appendQueuedTexts,
  frontierFromHead,
  signTreeHeadLocked,
} from './audit-writer.js';
import { canonicalEntry } from './canonical-entry.js';
import { EntryMac, PendingEntryMac } from './entry-mac.js';
import { GroupCommitQueue } from './group-commit-queue.js';
import { auditLimits } from './limits.js';
import { MerkleFrontier } from './merkle/index.js';
import {
  type AuditSigningStatus,
  type RetryDelays,
  SigningHealth,
  SigningStepError,
} from './signing-health.js';
import { treeHeadView } from './tree-head-view.js';
import type { TreeHeadWitness } from './witness.js';

export interface AuditLogOptions {
  db: Kysely<Database>;
  keys: Pick<KeyStore, 'masterKey' | 'auditSigning'>;
  /** Sign a head once this many entries are uncovered (default 1,000). */
  signEveryEntries?: number;
  /** Interval of the timer started by `startTimer()` (default 60 s). */
  signEveryMs?: number;
  flushDelayMs?: number;
  flushEntriesMax?: number;
  /** Longest a signing waits for a table lock while holding the appender lock. */
  signLockTimeoutMs?: number;
  /** Backoff of background signing after a failure (default 1 s doubling to 60 s). */
  signRetryDelayMs?: RetryDelays;
  /** Every signed head is handed to each of these after it commits (README: witness). */
  witnesses?: readonly TreeHeadWitness[];
  /**
   * Called after each failed background signing (already scheduled for retry) and once when a
   * failing streak ends. Never reject a caller's append; their own failures are swallowed.
   */
  onSigningFailed?: (status: AuditSigningStatus, error: unknown) => void | Promise<void>;
  onSigningRecovered?: (status: AuditSigningStatus, failures: number) => void | Promise<void>;
  /**
   * Told of the entries each write hands in, in the writer's async context, so the access gate
   * can tell which of a request's grants have their entry (docs/ACCESS.md, "Audited grants").
   * `committed` is null when the entries are in the log; for entries written in a transaction
   * it answers, asked after that transaction ended, whether it committed. Must not throw.
   */
  onWritten?: AuditWrittenObserver;
}

export type AuditWrittenObserver = (
  entries: readonly AuditEntryInput[],
  committed: (() => Promise<boolean>) | null,
) => void;

/** Where an appended entry landed. */
export interface AppendedEntry {
  leafIndex: number;
  /** The entry's `time` (ISO-8601 UTC, milliseconds). */
  time: string;
}

interface Queued {
  text: string;
  time: string;
  /** A staged entry (audit_pending) to move into the log. */
  pendingId?: string;
}

/**
 * Entries staged in a transaction by `stageInTransaction`; hand them to `settle` once that
 * transaction has committed.
 */
export interface StagedEntries {
  readonly items: readonly { id: string; text: string; time: string }[];
}

/** What one sweep of staged entries found (README: "Staged entries"). */
export interface PendingSweep {
  moved: number;
  /** Rows whose HMAC did not verify: left in place, reported by `amparo audit verify`. */
  refused: number;
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
  readonly #pendingMac: PendingEntryMac;
  readonly #queue: GroupCommitQueue<Queued, AppendedEntry | undefined>;
  readonly #signEveryEntries: number;
  readonly #signEveryMs: number;
  readonly #signLockTimeoutMs: number;
  readonly #witnesses: readonly TreeHeadWitness[];
  readonly #health: SigningHealth;
  readonly #onSigningFailed: NonNullable<AuditLogOptions['onSigningFailed']>;
  readonly #onSigningRecovered: NonNullable<AuditLogOptions['onSigningRecovered']>;
  readonly #onWritten: AuditWrittenObserver;
  /** Staged entries handed to `settle`: in the log, or on their way there. */
  readonly #settled = new WeakSet<StagedEntries>();
  #frontier: MerkleFrontier;
  #latestHeadSize: number;
  /** -1 until this process has handed a head to the witnesses: the latest is then re-sent. */
  #witnessedHeadSize = -1;
  #committedSize = 0;
  /** The signing under way; it never rejects (callers await their own promise). */
  #signing: Promise<void> | undefined;
  #backgroundSign: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  #sweeping: Promise<unknown> | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(options: AuditLogOptions, frontier: MerkleFrontier, latestHeadSize: number) {
    this.#db = options.db;
    this.#keys = options.keys;
    this.#mac = new EntryMac(options.keys.masterKey);
    this.#pendingMac = new PendingEntryMac(options.keys.masterKey);
    this.#frontier = frontier;
    this.#latestHeadSize = latestHeadSize;
    this.#signEveryEntries = options.signEveryEntries ?? auditLimits.signEveryEntries;
    this.#signEveryMs = options.signEveryMs ?? auditLimits.signEveryMs;
    this.#signLockTimeoutMs = options.signLockTimeoutMs ?? auditLimits.signLockTimeoutMs;
    this.#witnesses = options.witnesses ?? [];
    this.#health = new SigningHealth(
      options.signRetryDelayMs ?? {
        minMs: auditLimits.signRetryDelayMsMin,
        maxMs: auditLimits.signRetryDelayMsMax,
      },
      latestHeadSize,
      this.#witnesses.length > 0,
    );
    this.#onSigningFailed = options.onSigningFailed ?? (() => undefined);
    this.#onSigningRecovered = options.onSigningRecovered ?? (() => undefined);
    this.#onWritten = options.onWritten ?? (() => undefined);
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
    const appended = this.#queue.submit({ text, time }) as Promise<AppendedEntry>;
    return appended.then((result) => {
      this.#onWritten([entry], null);
      return result;
    });
  }

  /**
   * Stages entries inside the caller's transaction (audit_pending, migration 0077): they commit
   * or roll back with its other writes, as with `appendInTransaction`, but without the
   * appender lock, so concurrent writers do not commit one at a time. After the commit, the
   * caller must `settle` them before it answers; an entry whose writer dies first is moved by
   * the sweep. Not for a transaction that changes roles, regions or a person's region: the
   * change trail pairs those with `appendInTransaction`'s request id.
   */
  async stageInTransaction(
    trx: Transaction<Database>,
    entries: readonly AuditEntryInput[],
  ): Promise<StagedEntries> {
    const { staged, statement } = this.stagedStatement(entries);
    if (staged.items.length > 0) await statement.execute(trx);
    return staged;
  }

  /**
   * `stageInTransaction` as a statement the caller runs in its transaction, alone or as a
   * data-modifying CTE of its own last write (`with staged as (…)`: one round trip less on a
   * hot path). The entries count as staged only if that statement runs and commits; settle
   * them after the commit, as with `stageInTransaction`. Entries must not be empty.
   */
  stagedStatement(entries: readonly AuditEntryInput[]): {
    staged: StagedEntries;
    statement: RawBuilder<unknown>;
  } {
    const now = new Date();
    const time = now.toISOString();
    const items = entries.map((entry) => ({
      id: randomUUID(),
      text: canonicalEntry(entry, now),
      time,
    }));
    const statement = pendingInsert(
      items.map((item) => ({
        id: item.id,
        entry: item.text,
        entryMac: this.#pendingMac.compute(item.id, Buffer.from(item.text, 'utf8')),
      })),
    );
    const staged: StagedEntries = { items };
    const first = items[0];
    if (first !== undefined)
      this.#onWritten(
        entries,
        async () => this.#settled.has(staged) || pendingHolds(this.#db, first.id),
      );
    return { staged, statement };
  }

  /**
   * Moves committed staged entries into the log with group commit (one lock and one commit for
   * the entries of many requests); resolves once they are in it. An entry the sweep moved first
   * is not written twice.
   */
  async settle(staged: StagedEntries): Promise<void> {
    this.#settled.add(staged);
    await Promise.all(
      staged.items.map((item) =>
        this.#queue.submit({ text: item.text, time: item.time, pendingId: item.id }),
      ),
    );
  }

  /**
   * Moves staged entries older than `olderThanMs` into the log (their writer died between its
   * commit and the move, or the move failed); a row whose HMAC does not verify is left where it
   * is. The server runs this on its audit timer.
   */
  async sweepPending(olderThanMs: number = auditLimits.pendingSweepAfterMs): Promise<PendingSweep> {
    const rows = await readStalePending(this.#db, olderThanMs, auditLimits.pendingSweepRowsMax);
    const valid = rows.filter((row) =>
      this.#pendingMac.verify(row.id, Buffer.from(row.entry, 'utf8'), row.entryMac),
    );
    const results = await Promise.all(
      valid.map((row) => this.#queue.submit({ text: row.entry, time: '', pendingId: row.id })),
    );
    return {
      moved: results.filter((result) => result !== undefined).length,
      refused: rows.length - valid.length,
    };
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
    // The database's change trail (migration 0024) records this request id with every change
    // of roles, regions or a person's region in this transaction, so `amparo audit verify`
    // can pair each change with its entry; a change made outside the application has none.
    // It is set in the same call that takes the appender lock (migration 0057).
    const requestId = entries.find((entry) => entry.requestId !== null)?.requestId;
    const first = await appendEntryTexts(trx, this.#mac, texts, requestId || null);
    const firstText = texts[0];
    if (firstText !== undefined)
      this.#onWritten(entries, () => leafHolds(this.#db, first, firstText));
    return texts.map((_, i) => ({ leafIndex: first + i, time: now.toISOString() }));
  }

  /**
   * Signs a head over everything committed now and hands it to the witnesses; returns the
   * latest head when nothing is new. Rejects with a `SigningStepError` naming the failed step
   * (a head that was signed but not witnessed stays signed; the next signing re-sends it).
   */
  signTreeHead(): Promise<TreeHeadRow> {
    return this.#sign(false);
  }

  /** The state of background signing, for `/readyz`. */
  signingStatus(): AuditSigningStatus {
    return this.#health.status();
  }

  /** Starts signing every `signEveryMs` when new entries exist; `close()` stops it. */
  startTimer(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setInterval(() => this.#signInBackground(), this.#signEveryMs);
    // Never the reason a process stays alive; the server keeps itself alive by listening.
    this.#timer.unref();
    // Staged entries left by a process that died between a commit and the move: at start and
    // then on every tick. A failure is retried at the next tick (the rows stay staged).
    const sweep = () => {
      if (this.#sweeping !== undefined || this.#closed) return;
      this.#sweeping = this.sweepPending()
        .catch(() => undefined)
        .finally(() => {
          this.#sweeping = undefined;
        });
    };
    sweep();
    this.#sweepTimer = setInterval(sweep, auditLimits.pendingSweepEveryMs);
    this.#sweepTimer.unref();
  }

  /** Writes queued entries, waits for background signing, and stops the timers. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    if (this.#sweepTimer !== undefined) clearInterval(this.#sweepTimer);
    this.#timer = undefined;
    this.#retryTimer = undefined;
    this.#sweepTimer = undefined;
    await this.#sweeping;
    await this.#queue.close();
    while (this.#backgroundSign !== undefined) await this.#backgroundSign;
  }

  async #flush(items: Queued[]): Promise<(AppendedEntry | undefined)[]> {
    const { leafIndexes, size } = await this.#db
      .transaction()
      .execute((trx) => appendQueuedTexts(trx, this.#mac, items));
    this.#committedSize = Math.max(this.#committedSize, size);
    if (this.#committedSize - this.#latestHeadSize >= this.#signEveryEntries) {
      this.#signInBackground();
    }
    return items.map((item, i) => {
      const leafIndex = leafIndexes[i];
      return leafIndex === undefined ? undefined : { leafIndex, time: item.time };
    });
  }

  /**
   * Signs without a caller to tell: a failure is recorded, reported and retried with backoff,
   * and never becomes an unhandled rejection (that would end the server). While a failing
   * streak waits out its backoff, the minute timer and the entry count do not hurry it.
   */
  #signInBackground(): void {
    if (this.#backgroundSign !== undefined || this.#closed) return;
    if (this.#health.waiting(Date.now())) return;
    this.#backgroundSign = this.#sign(true)
      .then(
        () => this.#afterSuccess(),
        (error: unknown) => this.#afterFailure(error),
      )
      .finally(() => {
        this.#backgroundSign = undefined;
      });
  }

  async #afterSuccess(): Promise<void> {
    const failures = this.#health.succeeded();
    if (failures > 0) {
      await swallow(() => this.#onSigningRecovered(this.#health.status(), failures));
    }
  }

  async #afterFailure(error: unknown): Promise<void> {
    const delayMs = this.#health.failed(error, Date.now());
    if (!this.#closed) {
      if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        this.#signInBackground();
      }, delayMs);
      this.#retryTimer.unref();
    }
    await swallow(() => this.#onSigningFailed(this.#health.status(), error));
  }

  /** One signing at a time in this process; other processes are kept out by the lock. */
  async #sign(onlyIfNew: boolean): Promise<TreeHeadRow> {
    while (this.#signing !== undefined) await this.#signing;
    const run = this.#signAndWitness(onlyIfNew);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#signing = settled;
    try {
      return await run;
    } finally {
      if (this.#signing === settled) this.#signing = undefined;
    }
  }

  async #signAndWitness(onlyIfNew: boolean): Promise<TreeHeadRow> {
    let outcome: Awaited<ReturnType<typeof signTreeHeadLocked>>;
    try {
      outcome = await this.#db.transaction().execute((trx) =>
        signTreeHeadLocked(trx, {
          frontier: this.#frontier,
          key: this.#keys.auditSigning,
          mac: this.#mac,
          onlyIfNew,
          lockTimeoutMs: this.#signLockTimeoutMs,
        }),
      );
    } catch (error) {
      throw new SigningStepError('sign', error);
    }
    // Adopted only after commit: a rolled-back signing leaves the old, still true, frontier.
    this.#frontier = outcome.frontier;
    this.#latestHeadSize = outcome.head.treeSize;
    this.#health.signed(outcome.head.treeSize);
    await this.#witness(outcome.head);
    return outcome.head;
  }

  /** Hands the head to every witness; all must take it (each is a separate memory). */
  async #witness(head: TreeHeadRow): Promise<void> {
    if (this.#witnesses.length === 0 || head.treeSize <= this.#witnessedHeadSize) return;
    const view = treeHeadView(head);
    const results = await Promise.allSettled(this.#witnesses.map((w) => w.record(view)));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw new SigningStepError('witness', failed.reason);
    this.#witnessedHeadSize = head.treeSize;
    this.#health.witnessed(head.treeSize);
  }
}

/** Runs a reporting callback; its failure must not disturb signing (it is the reporter). */
async function swallow(report: () => void | Promise<void>): Promise<void> {
  try {
    await report();
  } catch {
    // Nothing better to do: the status stays visible in /readyz.
  }
}
