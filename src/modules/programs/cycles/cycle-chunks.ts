import { sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { programLimits } from '../limits.js';

/**
 * The person ids of chunk `index` of `total`: `[from, to)` of the UUID's first 16 bits, the
 * last one open-ended. A cycle's resumable run and the sealed batch evaluator both work chunk
 * by chunk.
 *
 * @example
 *   chunkRange(0, 64); // { from: '00000000-0000-…', to: '04000000-0000-…' }
 */
export function chunkRange(index: number, total: number): { from: string; to: string | undefined } {
  const bound = (chunk: number) =>
    `${Math.floor((chunk * 0x10000) / total)
      .toString(16)
      .padStart(4, '0')}0000-0000-0000-0000-000000000000`;
  return { from: bound(index), to: index + 1 < total ? bound(index + 1) : undefined };
}

/**
 * For the statements of one chunk, inside its transaction: no JIT compilation. PostgreSQL
 * compiles a plan whose cost passes `jit_above_cost` (a chunk of a million-person facts
 * relation does) before running it, once per statement: 130 ms for one chunk's facts at
 * 100,000 persons, more with inlining and optimisation at a million, paid again by each of
 * the 64 chunks for a gain a few thousand rows cannot repay. PGlite has no JIT; the setting
 * is accepted and changes nothing there.
 */
export async function withoutJit(trx: Transaction<Database>): Promise<void> {
  await sql`set local jit = off`.execute(trx);
}

/**
 * For the statements of one cycle chunk, inside its transaction: room for the chunk's sort of
 * its members by person id and the member check's hash (`limits.programs.cycleChunkWorkMemMb`)
 * without spilling to a temporary file, for this transaction only. PGlite accepts the setting.
 */
export async function withChunkMemory(trx: Transaction<Database>): Promise<void> {
  await sql`select set_config('work_mem', ${`${programLimits.cycleChunkWorkMemMb}MB`}, true)`.execute(
    trx,
  );
}
