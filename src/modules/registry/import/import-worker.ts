import { parentPort, workerData } from 'node:worker_threads';
import { answerTasks } from '../../../platform/worker-pool.js';
import { ChunkEncoder, type ChunkSettings, type ChunkTask } from './chunk-encoder.js';

/**
 * Entry point of an import worker (see chunk-executor.ts): it receives the job's settings,
 * with its own copy of the master key, once as `workerData`, then encodes chunks on request.
 * A failure is answered with its message only: a stack or a row could carry personal data.
 */
// Safe: chunk-executor.ts is the only creator of this worker and passes ChunkSettings.
const settings = workerData as ChunkSettings;
const encoder = new ChunkEncoder(settings);
// The encoder keeps its own copy; the one that travelled here is wiped.
settings.masterKey.fill(0);

answerTasks(parentPort, (task: ChunkTask) => encoder.encode(task));
