import { AmparoError } from '../../platform/errors.js';

export interface GroupCommitOptions {
  /** Longest the first queued item waits before its batch is written. */
  delayMs: number;
  /** Most items written by one call of the flush function. */
  batchMax: number;
  /** Items waiting before `submit` refuses more. */
  queueMax: number;
  /**
   * Flushes running at once. Two let the next batch begin its transaction and wait for the
   * appender lock while the previous one commits, hiding a round trip or two per batch.
   */
  flushesInFlightMax?: number;
}

interface Pending<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Group commit: items from concurrent callers are written together, one flush (one database
 * transaction) per batch, at most `flushesInFlightMax` at once. A flush starts `delayMs` after
 * the first item arrives, at once when `batchMax` items wait, and right after a previous flush
 * when items queued meanwhile. Each
 * caller's promise settles with its own result when its batch is durable, or rejects with the
 * flush's error: nobody is told "logged" for an entry that was not.
 *
 * @example
 * const queue = new GroupCommitQueue((texts) => writeBatch(texts), { delayMs: 2, batchMax: 1000, queueMax: 100_000 });
 * const leafIndex = await queue.submit(text);
 * await queue.close(); // writes what is queued, then refuses new items
 */
export class GroupCommitQueue<T, R> {
  readonly #flush: (items: T[]) => Promise<R[]>;
  readonly #options: GroupCommitOptions;
  #pending: Pending<T, R>[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #runners = new Set<Promise<void>>();
  #closed = false;

  constructor(flush: (items: T[]) => Promise<R[]>, options: GroupCommitOptions) {
    this.#flush = flush;
    this.#options = options;
  }

  submit(item: T): Promise<R> {
    if (this.#closed) return Promise.reject(new Error('the audit log is closed'));
    if (this.#pending.length >= this.#options.queueMax) {
      return Promise.reject(
        new AmparoError('AMP_NOT_READY', {
          detail: 'The audit log is falling behind; retry',
          retryAfterSeconds: 1,
        }),
      );
    }
    return new Promise<R>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  /** Writes everything queued now and waits until it is written (or failed). */
  async drain(): Promise<void> {
    this.#start();
    while (this.#runners.size > 0) await Promise.all(this.#runners);
  }

  /** Refuses new items, then drains. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.drain();
  }

  #schedule(): void {
    if (this.#runners.size >= (this.#options.flushesInFlightMax ?? 1)) return;
    if (this.#pending.length >= this.#options.batchMax) this.#start();
    else this.#timer ??= setTimeout(() => this.#start(), this.#options.delayMs);
  }

  #start(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const runnersMax = this.#options.flushesInFlightMax ?? 1;
    while (this.#runners.size < runnersMax && this.#pending.length > 0) {
      const runner: Promise<void> = this.#run().finally(() => {
        this.#runners.delete(runner);
        // A caller woken by the last batch may have queued more before this ran.
        if (this.#pending.length > 0) this.#schedule();
      });
      this.#runners.add(runner);
    }
  }

  async #run(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, this.#options.batchMax);
      try {
        const results = await this.#flush(batch.map((pending) => pending.item));
        if (results.length !== batch.length) {
          throw new Error(`flush returned ${results.length} results for ${batch.length} items`);
        }
        for (const [i, pending] of batch.entries()) pending.resolve(results[i]!);
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
  }
}
