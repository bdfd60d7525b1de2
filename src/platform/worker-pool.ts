import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import {
  type MessagePort,
  type ResourceLimits,
  type Transferable,
  Worker,
} from 'node:worker_threads';

/**
 * A fixed pool of worker threads that answer tasks, one at a time each: the registry's import
 * encoders and the programs' sealed-fact deciders. A task goes to the next idle thread; a
 * thread that fails or exits fails every task waiting and running, and the pool refuses new
 * ones (a batch job then stops and resumes later; it never half-runs on fewer threads).
 *
 * The worker answers each `{ id, task }` message with `{ id, result }` or `{ id, error }`
 * (`answerTasks` below does that). Secrets travel in `workerData` with their buffers in
 * `transfer` (moved, not cloned), one copy per thread.
 *
 * @example
 *   const pool = new WorkerPool<Task, Result>({
 *     name: 'import worker', size: 2, entry: workerEntry(import.meta.url, './import-worker'),
 *     start: () => { const key = new Uint8Array(masterKey); return { data: { key }, transfer: [key.buffer] }; },
 *   });
 *   try { await pool.run(task); } finally { await pool.close(); }
 */
export interface WorkerPoolOptions {
  /** What errors call a thread: "an import worker stopped (exit code 1)". */
  readonly name: string;
  readonly size: number;
  readonly entry: WorkerEntry;
  /** Each thread's `workerData` and the buffers moved to it. */
  start(): { data: unknown; transfer?: Transferable[] };
  readonly resourceLimits?: ResourceLimits;
  /** Idle threads do not keep the process alive (a pool a server holds for rare work). */
  readonly unrefWhenIdle?: boolean;
}

type Answer<Result> = { id: number; result: Result } | { id: number; error: string };

interface Pending<Task, Result> {
  readonly id: number;
  readonly task: Task;
  resolve(result: Result): void;
  reject(error: Error): void;
}

export class WorkerPool<Task, Result> {
  readonly size: number;
  readonly #options: WorkerPoolOptions;
  readonly #idle: Worker[] = [];
  readonly #all: Worker[] = [];
  readonly #queue: Pending<Task, Result>[] = [];
  readonly #running = new Map<Worker, Pending<Task, Result>>();
  #nextId = 0;
  #failure: Error | undefined;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.size = options.size;
    for (let index = 0; index < options.size; index += 1) this.#start();
  }

  run(task: Task): Promise<Result> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, task, resolve, reject });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#fail(new Error(`the ${this.#options.name} pool is closed`));
    await Promise.all(this.#all.map((worker) => worker.terminate()));
  }

  #start(): void {
    const { entry, resourceLimits, unrefWhenIdle, name } = this.#options;
    const { data, transfer } = this.#options.start();
    const worker = new Worker(entry.script, {
      eval: entry.evaluate,
      workerData: data,
      ...(transfer === undefined ? {} : { transferList: transfer }),
      ...(resourceLimits === undefined ? {} : { resourceLimits }),
    });
    worker.on('message', (answer: Answer<Result>) => this.#answer(worker, answer));
    worker.on('error', (error) => this.#fail(error));
    worker.on('exit', (code) => {
      if (code !== 0) this.#fail(new Error(`${article(name)} ${name} stopped (exit code ${code})`));
    });
    if (unrefWhenIdle === true) worker.unref();
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
      if (this.#options.unrefWhenIdle === true) worker.ref();
      worker.postMessage({ id: next.id, task: next.task });
    }
  }

  #answer(worker: Worker, answer: Answer<Result>): void {
    const pending = this.#running.get(worker);
    this.#running.delete(worker);
    if (this.#options.unrefWhenIdle === true) worker.unref();
    this.#idle.push(worker);
    if (pending !== undefined && pending.id === answer.id) {
      if ('error' in answer) pending.reject(new Error(`${this.#options.name}: ${answer.error}`));
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

function article(name: string): string {
  return /^[aeiou]/i.test(name) ? 'an' : 'a';
}

/**
 * In the worker: answers each task message with its result, or with the error's message.
 *
 * @example
 *   answerTasks((task: ChunkTask) => encoder.encode(task)); // import-worker.ts
 */
export function answerTasks<Task, Result>(
  port: MessagePort | null,
  work: (task: Task) => Result,
): void {
  port?.on('message', (message: { id: number; task: Task }) => {
    try {
      port.postMessage({ id: message.id, result: work(message.task) });
    } catch (error) {
      port.postMessage({
        id: message.id,
        error: error instanceof Error ? error.message : 'unknown failure',
      });
    }
  });
}

/** How a worker thread is started: a script file, or code evaluated in the thread. */
export interface WorkerEntry {
  readonly script: string | URL;
  readonly evaluate: boolean;
}

/**
 * The entry of the worker module `relative` (without extension) next to the module at
 * `moduleUrl`. From compiled JavaScript it is the `.js` file. From the TypeScript sources
 * (tsx, vitest, and the bundle, which keeps each module's own source URL) the thread first
 * registers tsx's loader and then imports the `.ts` file: hooks registered in the parent do
 * not reach a worker, and Node 20 does not apply `--import` from a worker's `execArgv` to its
 * entry file.
 */
export function workerEntry(moduleUrl: string, relative: string): WorkerEntry {
  if (!moduleUrl.endsWith('.ts')) {
    return { script: new URL(`${relative}.js`, moduleUrl), evaluate: false };
  }
  const entry = new URL(`${relative}.ts`, moduleUrl).href;
  // The ESM build of tsx's API (the require condition resolves to its CommonJS twin).
  const tsxApi = pathToFileURL(
    createRequire(moduleUrl)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const script = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return { script, evaluate: true };
}
