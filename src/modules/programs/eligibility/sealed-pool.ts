import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SealedFactsRow } from '../../registry/index.js';

/**
 * A small pool of worker threads that decide the sealed part of a rule (rule-plan.ts): each
 * task is a rule and candidate rows (clear facts and the sealed ciphertext); the answer is the
 * ids of those the rule makes eligible. Decryption and CEL run off the main thread, on both
 * cores, and no opened value ever crosses back. Each worker holds its own copy of the master
 * key (moved to it at start, wiped once held); `close()` ends the threads.
 *
 * @example
 *   const pool = sealedPool(masterKey, 2);
 *   try { const ids = await pool.decide(rule.source, rows); } finally { await pool.close(); }
 */
export interface SealedCandidate extends SealedFactsRow {
  readonly clear: Readonly<Record<string, unknown>>;
}

export interface SealedTask {
  readonly rule: string;
  readonly rows: readonly SealedCandidate[];
}

export type SealedWorkerAnswer = { id: number; eligible: string[] } | { id: number; error: string };

export interface SealedPool {
  readonly size: number;
  /** Ids of the eligible among `rows`, in the order given. */
  decide(rule: string, rows: readonly SealedCandidate[]): Promise<string[]>;
  close(): Promise<void>;
}

interface Pending {
  readonly id: number;
  readonly task: SealedTask;
  resolve(eligible: string[]): void;
  reject(error: Error): void;
}

export function sealedPool(masterKey: Buffer, workers: number): SealedPool {
  return new WorkerPool(masterKey, workers);
}

class WorkerPool implements SealedPool {
  readonly size: number;
  readonly #idle: Worker[] = [];
  readonly #all: Worker[] = [];
  readonly #queue: Pending[] = [];
  readonly #running = new Map<Worker, Pending>();
  #nextId = 0;
  #failure: Error | undefined;

  constructor(masterKey: Buffer, workers: number) {
    this.size = workers;
    for (let index = 0; index < workers; index += 1) this.#start(masterKey);
  }

  /** Splits the rows across the workers and joins their answers in the rows' order. */
  async decide(rule: string, rows: readonly SealedCandidate[]): Promise<string[]> {
    if (rows.length === 0) return [];
    const slice = Math.ceil(rows.length / this.size);
    const parts: Promise<string[]>[] = [];
    for (let from = 0; from < rows.length; from += slice) {
      parts.push(this.#run({ rule, rows: rows.slice(from, from + slice) }));
    }
    return (await Promise.all(parts)).flat();
  }

  async close(): Promise<void> {
    this.#fail(new Error('the sealed-fact worker pool is closed'));
    await Promise.all(this.#all.map((worker) => worker.terminate()));
  }

  #run(task: SealedTask): Promise<string[]> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, task, resolve, reject });
      this.#dispatch();
    });
  }

  #start(masterKey: Buffer): void {
    const copy = new Uint8Array(masterKey);
    const worker = new Worker(workerEntry.script, {
      eval: workerEntry.evaluate,
      workerData: { masterKey: copy },
      transferList: [copy.buffer],
    });
    worker.on('message', (answer: SealedWorkerAnswer) => this.#answer(worker, answer));
    worker.on('error', (error) => this.#fail(error));
    worker.on('exit', (code) => {
      if (code !== 0) this.#fail(new Error(`a sealed-fact worker stopped (exit code ${code})`));
    });
    // An idle pool does not keep the process alive (a CLI run ends when its work does).
    worker.unref();
    this.#all.push(worker);
    this.#idle.push(worker);
  }

  #dispatch(): void {
    for (;;) {
      const worker = this.#idle.pop();
      if (worker === undefined) return;
      const next = this.#queue.shift();
      if (next === undefined) {
        this.#idle.push(worker);
        return;
      }
      this.#running.set(worker, next);
      worker.ref();
      worker.postMessage({ id: next.id, task: next.task });
    }
  }

  #answer(worker: Worker, answer: SealedWorkerAnswer): void {
    const pending = this.#running.get(worker);
    this.#running.delete(worker);
    worker.unref();
    this.#idle.push(worker);
    if (pending !== undefined && pending.id === answer.id) {
      if ('error' in answer) pending.reject(new Error(`sealed-fact worker: ${answer.error}`));
      else pending.resolve(answer.eligible);
    }
    this.#dispatch();
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const pending of [...this.#queue, ...this.#running.values()]) pending.reject(error);
    this.#queue.length = 0;
    this.#running.clear();
  }
}

/**
 * How to start a worker: from the TypeScript sources (tsx, vitest, the bundle, which keeps
 * each module's own source URL) the worker first registers tsx's loader, then imports
 * `sealed-worker.ts`, as the registry's import workers do (chunk-executor.ts says why).
 */
const workerEntry = ((): { script: string | URL; evaluate: boolean } => {
  if (!import.meta.url.endsWith('.ts')) {
    return { script: new URL('./sealed-worker.js', import.meta.url), evaluate: false };
  }
  const entry = new URL('./sealed-worker.ts', import.meta.url).href;
  const tsxApi = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const script = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return { script, evaluate: true };
})();

/**
 * A pool whose threads start at the first rule that needs them and then stay (idle threads
 * do not keep the process alive): what the server holds, since most programs read no sealed
 * fact.
 */
export function lazySealedPool(masterKey: Buffer, workers: number): SealedPool {
  let pool: SealedPool | undefined;
  return {
    size: workers,
    decide(rule, rows) {
      pool ??= sealedPool(masterKey, workers);
      return pool.decide(rule, rows);
    },
    async close() {
      await pool?.close();
    },
  };
}
