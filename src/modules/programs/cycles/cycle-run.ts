import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import { activePersonCount, sealedFactsReadEntry } from '../../registry/index.js';
import type { SealedDeciding } from '../eligibility/sealed-decider.js';
import { programLimits } from '../limits.js';
import { checkContent, contentOf } from '../program-content.js';
import { findVersion } from '../program-repository.js';
import { overflowSuspect, refusingOverflow } from '../rules/rule-overflow.js';
import { planRule } from '../rules/rule-plan.js';
import { chunkRange, withChunkMemory, withoutJit } from './cycle-chunks.js';
import {
  deleteHouseholdCounts,
  householdCountsOf,
  readsHouseholdCounts,
  writeHouseholdCounts,
} from './cycle-household-counts.js';
import {
  diffRounds,
  insertRound,
  type RoundDiff,
  type RoundSummary,
  summariseRound,
} from './cycle-members.js';

/**
 * The computation of a cycle's round as a resumable batch job (issue #13, point 4). The
 * person-id space is cut into equal ranges of the UUID's first 16 bits, one per
 * `cycleChunkPersons` active persons (ids are random, so the chunks are about equal; the
 * count is fixed when the round starts); each chunk's members and the run's progress
 * are written in one transaction, with the cycle's row locked. A process killed halfway
 * leaves whole chunks only; the next `cycleComputer` starts at the first chunk not written,
 * and two computers running at once take turns on the lock and never write a chunk twice.
 *
 * @example
 *   await startRound(trx, { cycleId, round: 1, startedBy });  // inside the creating transaction
 *   const done = await cycleComputer(db, { cycleId, onProgress: (p) => bar.update(p.chunksDone) });
 */
export interface RunProgress {
  round: number;
  chunksDone: number;
  chunksTotal: number;
}

/**
 * Starts a round's run, recording who started it (barred from approving the cycle);
 * `chunks` defaults to one per `limits.programs.cycleChunkPersons` active persons.
 */
export async function startRound(
  trx: Transaction<Database>,
  round: { cycleId: string; round: number; startedBy: string | null },
  given?: number,
): Promise<void> {
  const chunks = given ?? (await defaultChunks(trx));
  if (!Number.isInteger(chunks) || chunks < 1 || chunks > programLimits.cycleChunksMax) {
    throw new AmparoError('AMP_VALIDATION', {
      errors: [
        { field: '/chunks', reason: `a whole number from 1 to ${programLimits.cycleChunksMax}` },
      ],
    });
  }
  await trx
    .insertInto('program_cycle_run')
    .values({
      cycle_id: round.cycleId,
      round: round.round,
      started_by: round.startedBy,
      chunks_total: chunks,
    })
    .execute();
}

async function defaultChunks(trx: Transaction<Database>): Promise<number> {
  return chunksFor(await activePersonCount(trx));
}

/**
 * A round's chunks over `persons` active persons: one per `cycleChunkPersons`, within 1 and
 * `cycleChunksMax`.
 *
 * @example
 *   chunksFor(1_000_000); // 10
 */
export function chunksFor(persons: number): number {
  const chunks = Math.ceil(persons / programLimits.cycleChunkPersons);
  return Math.min(programLimits.cycleChunksMax, Math.max(1, chunks));
}

export interface ComputeOptions {
  cycleId: string;
  /** Called after each chunk is committed (a progress bar; a test's pause). */
  onProgress?: (progress: RunProgress) => void | Promise<void>;
  /** The sealed-fact pool and audit, for a rule over sealed facts (a chunk fails without). */
  sealed?: SealedDeciding;
}

export interface ComputeOutcome {
  round: number;
  summary: RoundSummary;
  /** Against the previous round of the same cycle; absent for the first. */
  diff: RoundDiff | undefined;
}

/**
 * Writes the remaining chunks of the cycle's current round, then answers its summary and its
 * difference from the previous round. A cycle no longer computing (computed already, or
 * closed meanwhile) is answered as it stands.
 */
export async function cycleComputer(
  db: Kysely<Database>,
  options: ComputeOptions,
): Promise<ComputeOutcome> {
  for (;;) {
    await auditSealedChunk(db, options.cycleId, options.sealed);
    const progress = await db
      .transaction()
      .execute((trx) => computeNextChunk(trx, options.cycleId, options.sealed));
    if (progress === undefined) break;
    await options.onProgress?.(progress);
    if (progress.chunksDone === progress.chunksTotal) break;
  }
  const cycle = await db
    .selectFrom('program_cycle')
    .select(['round', 'status'])
    .where('id', '=', options.cycleId)
    .executeTakeFirstOrThrow();
  const summary = await summariseRound(db, options.cycleId, cycle.round);
  const diff =
    cycle.round > 1
      ? await diffRounds(db, options.cycleId, cycle.round - 1, cycle.round)
      : undefined;
  return { round: cycle.round, summary, diff };
}

/**
 * For a rule over sealed facts, the audit entry of the next chunk's sealed read, appended
 * before the chunk's transaction (the registry's rule: audited before opened). Read without
 * the lock: at worst a chunk another computer wrote meanwhile is announced and not read.
 */
async function auditSealedChunk(
  db: Kysely<Database>,
  cycleId: string,
  sealed: SealedDeciding | undefined,
): Promise<void> {
  if (sealed === undefined) return;
  const state = await db
    .selectFrom('program_cycle as c')
    .innerJoin('program_cycle_run as r', (join) =>
      join.onRef('r.cycle_id', '=', 'c.id').onRef('r.round', '=', 'c.round'),
    )
    .select(['c.program_id', 'c.version', 'c.round', 'c.status', 'r.chunks_done', 'r.chunks_total'])
    .where('c.id', '=', cycleId)
    .executeTakeFirst();
  if (state === undefined || state.status !== 'computing') return;
  const version = await findVersion(db, state.program_id, state.version);
  if (version === undefined) return;
  const plan = planRule(checkContent(contentOf(version)).rule);
  if (!plan.needsWorkers) return;
  const chunk = chunkRange(state.chunks_done, state.chunks_total).from.slice(0, 4);
  await sealed.audit.append(
    sealedFactsReadEntry({
      job: `cycle:${cycleId}`,
      fields: plan.described.sealedFacts,
      persons: null,
      requestId: `cycle:${cycleId}:round:${state.round}:members:${chunk}`,
    }),
  );
}

/** One chunk in one transaction; undefined when there is nothing left to compute. */
async function computeNextChunk(
  trx: Transaction<Database>,
  cycleId: string,
  sealed: SealedDeciding | undefined,
): Promise<RunProgress | undefined> {
  const cycle = await trx
    .selectFrom('program_cycle')
    .selectAll()
    .where('id', '=', cycleId)
    .forUpdate()
    .executeTakeFirst();
  if (cycle === undefined) throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such cycle' });
  if (cycle.status !== 'computing') return undefined;
  const run = await trx
    .selectFrom('program_cycle_run')
    .selectAll()
    .where('cycle_id', '=', cycleId)
    .where('round', '=', cycle.round)
    .executeTakeFirstOrThrow();
  if (run.finished_at !== null) return undefined;
  await withoutJit(trx);
  await withChunkMemory(trx);
  const version = await findVersion(trx, cycle.program_id, cycle.version);
  if (version === undefined) throw new Error('cycle version missing');
  const checked = checkContent(contentOf(version));
  const counted = { cycleId, round: cycle.round, referenceDate: cycle.reference_date };
  const counts = readsHouseholdCounts(checked);
  if (counts && run.chunks_done === 0) await writeHouseholdCounts(trx, counted);
  // Checked when the round started; a registry edit since can still make it overflow: the
  // chunk is refused whole, and the round stays at its last whole chunk.
  await refusingOverflow(overflowSuspect(checked), () =>
    insertRound(trx, {
      cycleId,
      round: cycle.round,
      referenceDate: cycle.reference_date,
      checked,
      personIdRange: chunkRange(run.chunks_done, run.chunks_total),
      ...(sealed === undefined ? {} : { sealed }),
      ...(counts ? { householdCounts: householdCountsOf(counted) } : {}),
    }),
  );
  const chunksDone = run.chunks_done + 1;
  const finished = chunksDone === run.chunks_total;
  const now = new Date();
  await trx
    .updateTable('program_cycle_run')
    .set({ chunks_done: chunksDone, updated_at: now, finished_at: finished ? now : null })
    .where('cycle_id', '=', cycleId)
    .where('round', '=', cycle.round)
    .execute();
  if (finished) {
    if (counts) await deleteHouseholdCounts(trx, counted);
    await trx
      .updateTable('program_cycle')
      .set({ status: 'computed', updated_at: now })
      .where('id', '=', cycleId)
      .execute();
  }
  return { round: cycle.round, chunksDone, chunksTotal: run.chunks_total };
}
