import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import { MatchIndexBuilder, type ModelSource } from '../dedup/match-index.js';
import {
  checkerOver,
  type DuplicateChecker,
  type DuplicateInput,
  type IndexedDuplicateChecker,
  registryDedupPages,
  trainedRegistryModel,
} from './duplicate-checker.js';

export type DuplicateIndexState = 'warming' | 'ready' | 'failed';

/** What `/readyz` reports of the enrolment-time duplicate index. */
export interface DuplicateIndexStatus {
  readonly state: DuplicateIndexState;
  /** Persons read from the registry so far (all of them once ready). */
  readonly indexedPersons: number;
  /** While not ready: when an enrolment is worth retrying. */
  readonly retryAfterSeconds: number | null;
}

/** A checker whose index is still being built when the server starts taking requests. */
export interface WarmingDuplicateChecker extends DuplicateChecker {
  status(): DuplicateIndexStatus;
  /** Settles when the index is ready (it retries after a failed build). */
  readonly ready: Promise<void>;
  /** Stops a pending retry; the server calls it on close. */
  close(): void;
}

/**
 * Refusal of a duplicate check while the index is being built: 503 problem+json
 * (AMP_NOT_READY) with a Retry-After header (sent by the problem handler from
 * `retryAfterSeconds`). An
 * enrolment is never written without its duplicate check.
 */
export class DuplicateIndexWarmingError extends AmparoError {
  override readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number, failed: boolean) {
    super('AMP_NOT_READY', {
      detail: failed
        ? `duplicate index could not be built and is being rebuilt, retry in ${retryAfterSeconds} s`
        : `duplicate index warming up, retry in ${retryAfterSeconds} s`,
      retryAfterSeconds,
    });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Bounds of the Retry-After hint, in seconds. */
const retryAfterSecondsMin = 2;
const retryAfterSecondsMax = 300;
/** Wait before rebuilding after a failed build (the database was unreachable, say). */
const rebuildDelayMs = 10_000;

export interface StartDuplicateCheckerOptions {
  readonly model?: ModelSource;
  /**
   * The build begins when this settles (the server: once it listens, so that reading the
   * registry does not lengthen start-up); at once when absent.
   */
  readonly startAfter?: Promise<void>;
  /**
   * One line per build outcome, without personal data: a finished build at `debug` (`/readyz`
   * reports the index's state; a start-up log line for it was noise at demo size), a failed
   * one at `warn`.
   */
  readonly log?: (
    level: 'debug' | 'warn',
    message: string,
    fields: Record<string, unknown>,
  ) => void;
}

/**
 * Starts building the enrolment-time duplicate index in the background and returns at once.
 * Until the index is ready, `findCandidates` refuses with `DuplicateIndexWarmingError`, so
 * an enrolment is held back (503, retry later) rather than written unchecked; enrolments
 * recorded meanwhile (a review decision, a correction) are queued and added once the index
 * is built, unless the build already read them from the database. The registry is read in
 * pages, yielding to the event loop between them, so other requests are served during the
 * build, and between the grouping of the keys and each phase of the training at the end.
 *
 * @example
 *   const duplicates = startDuplicateChecker(db, { log: (level, m, f) => app.log[level](f, m) });
 *   duplicates.status().state // 'warming'
 */
export function startDuplicateChecker(
  db: Kysely<Database>,
  options: StartDuplicateCheckerOptions = {},
): WarmingDuplicateChecker {
  const warmup = new Warmup(db, options);
  return {
    status: () => warmup.status(),
    ready: warmup.ready,
    close: () => warmup.close(),
    async findCandidates(input) {
      return warmup.checkerOrRefuse().findCandidates(input);
    },
    recordEnrolment(personId, input) {
      warmup.recordEnrolment(personId, input);
    },
    forgetPerson(personId) {
      warmup.forgetPerson(personId);
    },
  };
}

class Warmup {
  readonly ready: Promise<void>;
  private checker: IndexedDuplicateChecker | null = null;
  private state: DuplicateIndexState = 'warming';
  private readPersons = 0;
  private totalPersons = 0;
  private startedAt = Date.now();
  private readDoneAt: number | null = null;
  private pending: { personId: string; input: DuplicateInput }[] = [];
  /** Merged or erased during the build: the build may have read them before the change. */
  private forgotten = new Set<string>();
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private markReady: () => void = () => {};

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: StartDuplicateCheckerOptions,
  ) {
    this.ready = new Promise((resolve) => {
      this.markReady = resolve;
    });
    const begin = options.startAfter ?? Promise.resolve();
    void begin.then(() => (this.closed ? undefined : this.build()));
  }

  status(): DuplicateIndexStatus {
    return {
      state: this.state,
      indexedPersons: this.checker?.size ?? this.readPersons,
      retryAfterSeconds: this.state === 'ready' ? null : this.retryAfterSeconds(),
    };
  }

  checkerOrRefuse(): IndexedDuplicateChecker {
    if (this.checker !== null) return this.checker;
    throw new DuplicateIndexWarmingError(this.retryAfterSeconds(), this.state === 'failed');
  }

  recordEnrolment(personId: string, input: DuplicateInput): void {
    if (this.checker !== null) this.checker.recordEnrolment(personId, input);
    else this.pending.push({ personId, input });
  }

  forgetPerson(personId: string): void {
    if (this.checker !== null) this.checker.forgetPerson(personId);
    else this.forgotten.add(personId);
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
  }

  private async build(): Promise<void> {
    this.state = 'warming';
    this.startedAt = Date.now();
    this.readPersons = 0;
    this.readDoneAt = null;
    const model = this.options.model ?? trainedRegistryModel;
    try {
      this.totalPersons = await countRegistry(this.db);
      const builder = new MatchIndexBuilder(model.schema);
      for await (const page of registryDedupPages(this.db)) {
        for (const record of page) builder.append(record);
        this.readPersons += page.length;
        // Let requests in between pages (the query awaits already; this covers a fast one).
        await nextTurn();
      }
      this.readDoneAt = Date.now();
      const checker = checkerOver(await builder.finishAsync(model, () => nextTurn()));
      this.applyPending(checker, builder.store.ids);
      for (const personId of this.forgotten) checker.forgetPerson(personId);
      this.forgotten.clear();
      this.checker = checker;
      this.state = 'ready';
      this.options.log?.('debug', 'duplicate index ready', {
        persons: checker.size,
        buildMs: Date.now() - this.startedAt,
        trained: checker.model !== model && 'train' in model,
      });
      this.markReady();
    } catch (error) {
      this.state = 'failed';
      this.options.log?.('warn', 'duplicate index build failed; retrying', {
        err: error,
        retryInMs: rebuildDelayMs,
      });
      if (this.closed) return;
      this.retryTimer = setTimeout(() => void this.build(), rebuildDelayMs);
      this.retryTimer.unref();
    }
  }

  /** Enrolments recorded during the build that the build did not read from the database. */
  private applyPending(checker: IndexedDuplicateChecker, loadedIds: readonly string[]): void {
    if (this.pending.length === 0) return;
    const wanted = new Set(this.pending.map((entry) => entry.personId));
    const loaded = new Set(loadedIds.filter((id) => wanted.has(id)));
    for (const { personId, input } of this.pending) {
      if (!loaded.has(personId)) checker.recordEnrolment(personId, input);
    }
    this.pending = [];
  }

  /**
   * Seconds until the index should be ready: reading's pace so far, with the grouping and
   * training after it assumed to take as long as the reading (measured: about the same).
   */
  private retryAfterSeconds(): number {
    if (this.state === 'failed') return Math.ceil(rebuildDelayMs / 1000);
    const now = Date.now();
    let remainingMs: number;
    if (this.readDoneAt === null) {
      const elapsed = now - this.startedAt;
      const share = this.totalPersons === 0 ? 1 : this.readPersons / this.totalPersons;
      const readingMs = share > 0.01 ? elapsed / share : elapsed * 100;
      remainingMs = readingMs - elapsed + readingMs;
    } else {
      remainingMs = 2 * (this.readDoneAt - this.startedAt) - (now - this.startedAt);
    }
    const seconds = Math.ceil(remainingMs / 1000);
    return Math.min(retryAfterSecondsMax, Math.max(retryAfterSecondsMin, seconds));
  }
}

async function countRegistry(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('person')
    .select((eb) => eb.fn.countAll<string>().as('persons'))
    .where('person.status', 'in', ['active', 'deceased'])
    .executeTakeFirstOrThrow();
  return Number(row.persons);
}
