/**
 * Runs batch writes with at most `concurrency` in flight, so the next batch is parsed,
 * checked and encrypted while earlier ones are being inserted. The first failure stops the
 * queue: later `submit` calls and `drain` reject with it.
 *
 * @example
 *   const queue = new WriteQueue(2);
 *   await queue.submit(() => writeBatch(db, first)); // returns once a slot is free
 *   await queue.drain();
 */
export class WriteQueue {
  readonly #concurrency: number;
  readonly #inFlight = new Set<Promise<void>>();
  #failure: { error: unknown } | undefined;

  constructor(concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    }
    this.#concurrency = concurrency;
  }

  /** Starts `work` once fewer than `concurrency` writes are running. */
  async submit(work: () => Promise<void>): Promise<void> {
    while (this.#inFlight.size >= this.#concurrency) await Promise.race(this.#inFlight);
    this.#throwIfFailed();
    const running: Promise<void> = work().then(
      () => {
        this.#inFlight.delete(running);
      },
      (error: unknown) => {
        this.#failure ??= { error };
        this.#inFlight.delete(running);
      },
    );
    this.#inFlight.add(running);
  }

  /** Waits for every write; rejects with the first failure. */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.race(this.#inFlight);
    this.#throwIfFailed();
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure.error;
  }
}
