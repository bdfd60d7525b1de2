import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  ChunkEncoder,
  type ChunkResult,
  type ChunkSettings,
  type ChunkTask,
} from './chunk-encoder.js';
import { importLimits } from './limits.js';

/**
 * Runs `ChunkEncoder` on chunks: in a pool of worker threads (`workerExecutor`), so parsing,
 * validation and encryption use every core while the main thread writes, or in the calling
 * thread (`inlineExecutor`) for small files and PGlite. Results come back per chunk; the
 * caller awaits them in file order.
 *
 * Each worker receives its own copy of the master key, transferred (moved, not cloned) at
 * start and wiped in the worker once the encoder holds it. `close()` terminates the workers;
 * the importer calls it on success and on failure, so no thread outlives the job.
 *
 * @example
 *   const executor = workerExecutor(settings, 2);
 *   try { const result = await executor.run(task); } finally { await executor.close(); }
 */
export interface ChunkExecutor {
  run(task: ChunkTask): Promise<ChunkResult>;
  close(): Promise<void>;
}

export function inlineExecutor(settings: ChunkSettings): ChunkExecutor {
  const encoder = new ChunkEncoder(settings);
  return {
    run: async (task) => encoder.encode(task),
    close: async () => undefined,
  };
}

interface Pending {
  readonly id: number;
  readonly task: ChunkTask;
  resolve(result: ChunkResult): void;
  reject(error: Error): void;
}

type WorkerAnswer = { id: number; result: ChunkResult } | { id: number; error: string };

export function workerExecutor(settings: ChunkSettings, workers: number): ChunkExecutor {
  return new WorkerPool(settings, workers);
}

class WorkerPool implements ChunkExecutor {
  readonly #idle: Worker[] = [];
  readonly #all: Worker[] = [];
  readonly #queue: Pending[] = [];
  readonly #running = new Map<Worker, Pending>();
  #nextId = 0;
  #failure: Error | undefined;

  constructor(settings: ChunkSettings, workers: number) {
    for (let index = 0; index < workers; index += 1) this.#start(settings);
  }

  run(task: ChunkTask): Promise<ChunkResult> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, task, resolve, reject });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#fail(new Error('the import worker pool is closed'));
    await Promise.all(this.#all.map((worker) => worker.terminate()));
  }

  #start(settings: ChunkSettings): void {
    const masterKey = new Uint8Array(settings.masterKey);
    const worker = new Worker(workerEntry.script, {
      eval: workerEntry.evaluate,
      workerData: { ...settings, masterKey },
      transferList: [masterKey.buffer],
      // Encoding makes many short-lived strings: a larger young generation collects them
      // in fewer, cheaper scavenges.
      resourceLimits: { maxYoungGenerationSizeMb: importLimits.workerYoungGenerationMb },
    });
    worker.on('message', (answer: WorkerAnswer) => this.#answer(worker, answer));
    worker.on('error', (error) => this.#fail(error));
    worker.on('exit', (code) => {
      if (code !== 0) this.#fail(new Error(`an import worker stopped (exit code ${code})`));
    });
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
      worker.postMessage({ id: next.id, task: next.task });
    }
  }

  #answer(worker: Worker, answer: WorkerAnswer): void {
    const pending = this.#running.get(worker);
    this.#running.delete(worker);
    this.#idle.push(worker);
    if (pending !== undefined && pending.id === answer.id) {
      if ('error' in answer) pending.reject(new Error(`import worker: ${answer.error}`));
      else pending.resolve(answer.result);
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
 * How to start a worker. From the TypeScript sources (tsx, vitest) the worker's first code
 * registers tsx's loader in the worker, then imports `import-worker.ts`: hooks registered in
 * the parent do not reach a worker, and Node 20 does not apply `--import` from a worker's
 * `execArgv` to its entry file. A compiled build would load `import-worker.js` as is.
 */
const workerEntry = ((): { script: string | URL; evaluate: boolean } => {
  if (!import.meta.url.endsWith('.ts')) {
    return { script: new URL('./import-worker.js', import.meta.url), evaluate: false };
  }
  const entry = new URL('./import-worker.ts', import.meta.url).href;
  // The ESM build of tsx's API (the require condition resolves to its CommonJS twin).
  const tsxApi = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const script = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return { script, evaluate: true };
})();
