import { WorkerPool, workerEntry } from '../../../platform/worker-pool.js';
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

export function workerExecutor(settings: ChunkSettings, workers: number): ChunkExecutor {
  return new WorkerPool<ChunkTask, ChunkResult>({
    name: 'import worker',
    size: workers,
    entry: importWorkerEntry,
    start: () => {
      const masterKey = new Uint8Array(settings.masterKey);
      return { data: { ...settings, masterKey }, transfer: [masterKey.buffer] };
    },
    // Encoding makes many short-lived strings: a larger young generation collects them in
    // fewer, cheaper scavenges.
    resourceLimits: { maxYoungGenerationSizeMb: importLimits.workerYoungGenerationMb },
  });
}

const importWorkerEntry = workerEntry(import.meta.url, './import-worker');
