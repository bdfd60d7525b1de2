import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import { activePersonCount, sealedFactsReadEntry } from '../../registry/index.js';
import type { SealedDeciding } from '../eligibility/sealed-decider.js';
import { programLimits } from '../limits.js';
import { findVersion } from '../program-repository.js';
import { overflowSuspect, refusingOverflow } from '../rules/rule-overflow.js';
import { planRule } from '../rules/rule-plan.js';
import { evaluableVersion } from '../stored-version.js';
import { chunkRange, withChunkMemory, withoutJit } from './cycle-chunks.js';
import {
  deleteHouseholdCounts,
  householdCountsOf,
  readsHouseholdCounts,
  writeHouseholdCounts,
} from './cycle-household-counts.js';
import { lockCycle } from './cycle-lock.js';
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
 * count is fixed when the round starts); each chunk's claim, members and the run's progress
 * are written in one transaction, and `limits.programs.cycleChunkWorkers` chunks are written
 * at once. A process killed halfway leaves whole chunks only; the next `cycleComputer` writes
 * the chunks without a claim, and computers running at once wait on each other's claims and
 * never write a chunk twice (migration 0082).
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
  /** Chunks written at once (default `limits.programs.cycleChunkWorkers`; a benchmark's A/B). */
  workers?: number;
}

export interface ComputeOutcome {
  round: number;
  summary: RoundSummary;
  /** Against the previous round of the same cycle; absent for the first. */
  diff: RoundDiff | undefined;
}

/**
 * Writes the remaining chunks of the cycle's current round, `limits.programs.cycleChunkWorkers`
 * at once (one at a time for a rule over sealed facts, whose workers are already parallel;
 * on PGlite's one connection the transactions queue), then answers its summary and its
 * difference from the previous round. A cycle no longer computing (computed already, or
 * closed meanwhile) is answered as it stands. Progress is reported as the count of chunks
 * written, never backwards.
 */
export async function cycleComputer(
  db: Kysely<Database>,
  options: ComputeOptions,
): Promise<ComputeOutcome> {
  const pending = await pendingChunks(db, options.cycleId);
  const prepared = pending.length > 0 ? await prepareRound(db, options.cycleId) : undefined;
  if (prepared === undefined) pending.length = 0;
  const workers =
    prepared?.needsWorkers === false
      ? Math.max(1, Math.floor(options.workers ?? programLimits.cycleChunkWorkers))
      : 1;
  let reported = 0;
  let failure: { error: unknown } | undefined;
  const work = async (): Promise<void> => {
    for (;;) {
      const chunk = failure === undefined ? pending.shift() : undefined;
      if (chunk === undefined) return;
      try {
        await auditSealedChunk(db, options.cycleId, chunk, options.sealed);
        const step = await db
          .transaction()
          .execute((trx) => computeChunk(trx, options.cycleId, chunk, options.sealed))
          .catch((error: unknown) => {
            if (error instanceof NotComputing) return 'stopped' as const;
            throw error;
          });
        if (step === 'stopped') pending.length = 0;
        else if (step !== 'taken' && step.chunksDone > reported) {
          reported = step.chunksDone;
          await options.onProgress?.(step);
        }
      } catch (error) {
        failure ??= { error };
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, work));
  if (failure !== undefined) throw failure.error;
  const cycle = await currentRound(db, options.cycleId);
  const summary = await summariseRound(db, options.cycleId, cycle.round);
  const diff =
    cycle.round > 1
      ? await diffRounds(db, options.cycleId, cycle.round - 1, cycle.round)
      : undefined;
  return { round: cycle.round, summary, diff };
}

/** The cycle's current round and status; `AMP_NOT_FOUND` when there is no such cycle. */
async function currentRound(
  db: Kysely<Database> | Transaction<Database>,
  cycleId: string,
): Promise<{ round: number; status: string }> {
  const cycle = await db
    .selectFrom('program_cycle')
    .select(['round', 'status'])
    .where('id', '=', cycleId)
    .executeTakeFirst();
  if (cycle === undefined) throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such cycle' });
  return cycle;
}

/** The chunks of the cycle's current round not written yet; none when it is not computing. */
async function pendingChunks(db: Kysely<Database>, cycleId: string): Promise<number[]> {
  const cycle = await currentRound(db, cycleId);
  if (cycle.status !== 'computing') return [];
  const run = await db
    .selectFrom('program_cycle_run')
    .select(['chunks_total', 'finished_at'])
    .where('cycle_id', '=', cycleId)
    .where('round', '=', cycle.round)
    .executeTakeFirst();
  if (run === undefined || run.finished_at !== null) return [];
  const written = await db
    .selectFrom('program_cycle_run_chunk')
    .select('chunk')
    .where('cycle_id', '=', cycleId)
    .where('round', '=', cycle.round)
    .execute();
  const done = new Set(written.map((row) => row.chunk));
  return Array.from({ length: run.chunks_total }, (_, chunk) => chunk).filter(
    (chunk) => !done.has(chunk),
  );
}

/**
 * Before the round's chunks, in a transaction of its own with the cycle locked: the round's
 * household counts, when its rule or formula reads one and they are not written yet (a
 * resumed run finds them). Every chunk joins them; the chunk that finishes the round deletes
 * them. Answers whether the rule has a sealed part (its chunks are then written one at a
 * time), or undefined when the cycle is not computing.
 */
async function prepareRound(
  db: Kysely<Database>,
  cycleId: string,
): Promise<{ needsWorkers: boolean } | undefined> {
  return db.transaction().execute(async (trx) => {
    const cycle = await lockCycle(trx, cycleId);
    if (cycle.status !== 'computing') return undefined;
    const version = await findVersion(trx, cycle.program_id, cycle.version);
    if (version === undefined) throw new Error('cycle version missing');
    const checked = evaluableVersion(version);
    const prepared = { needsWorkers: planRule(checked.rule).needsWorkers };
    if (!readsHouseholdCounts(checked)) return prepared;
    const written = await trx
      .selectFrom('program_cycle_household')
      .select('household_id')
      .where('cycle_id', '=', cycleId)
      .where('round', '=', cycle.round)
      .limit(1)
      .executeTakeFirst();
    if (written !== undefined) return prepared;
    await withoutJit(trx);
    await writeHouseholdCounts(trx, {
      cycleId,
      round: cycle.round,
      referenceDate: cycle.reference_date,
    });
    return prepared;
  });
}

/**
 * For a rule over sealed facts, the audit entry of the chunk's sealed read, appended before
 * the chunk's transaction (the registry's rule: audited before opened). At worst a chunk
 * another computer wrote meanwhile is announced and not read.
 */
async function auditSealedChunk(
  db: Kysely<Database>,
  cycleId: string,
  chunk: number,
  sealed: SealedDeciding | undefined,
): Promise<void> {
  if (sealed === undefined) return;
  const state = await db
    .selectFrom('program_cycle as c')
    .innerJoin('program_cycle_run as r', (join) =>
      join.onRef('r.cycle_id', '=', 'c.id').onRef('r.round', '=', 'c.round'),
    )
    .select(['c.program_id', 'c.version', 'c.round', 'c.status', 'r.chunks_total'])
    .where('c.id', '=', cycleId)
    .executeTakeFirst();
  if (state === undefined || state.status !== 'computing') return;
  const version = await findVersion(db, state.program_id, state.version);
  if (version === undefined) return;
  const plan = planRule(evaluableVersion(version).rule);
  if (!plan.needsWorkers) return;
  const from = chunkRange(chunk, state.chunks_total).from.slice(0, 4);
  await sealed.audit.append(
    sealedFactsReadEntry({
      job: `cycle:${cycleId}`,
      fields: plan.described.sealedFacts,
      persons: null,
      requestId: `cycle:${cycleId}:round:${state.round}:members:${from}`,
    }),
  );
}

/** Thrown inside a chunk's transaction to undo its claim: the cycle stopped computing. */
class NotComputing extends Error {}

/**
 * Chunk `chunk` of the current round in one transaction: its claim (a row of
 * `program_cycle_run_chunk`, migration 0082), its members and the run's progress commit
 * together. 'taken' when another computer wrote it (or is writing it: the claim waits for that
 * transaction to end); the finishing chunk also marks the cycle computed.
 *
 * The claim comes before the cycle's lock (FOR SHARE: chunks of one round are written at once;
 * approval and closing, which lock it FOR UPDATE, wait for them). A transaction waiting on
 * another's claim then holds no lock that the other's finishing update of the cycle waits for.
 */
async function computeChunk(
  trx: Transaction<Database>,
  cycleId: string,
  chunk: number,
  sealed: SealedDeciding | undefined,
): Promise<RunProgress | 'taken'> {
  const current = await currentRound(trx, cycleId);
  const claimed = await trx
    .insertInto('program_cycle_run_chunk')
    .values({ cycle_id: cycleId, round: current.round, chunk })
    .onConflict((conflict) => conflict.columns(['cycle_id', 'round', 'chunk']).doNothing())
    .executeTakeFirst();
  if (claimed.numInsertedOrUpdatedRows !== 1n) return 'taken';
  const cycle = await lockCycle(trx, cycleId, 'share');
  if (cycle.status !== 'computing' || cycle.round !== current.round) throw new NotComputing();
  const run = await trx
    .selectFrom('program_cycle_run')
    .selectAll()
    .where('cycle_id', '=', cycleId)
    .where('round', '=', cycle.round)
    .executeTakeFirstOrThrow();
  if (run.finished_at !== null || chunk >= run.chunks_total) throw new NotComputing();
  await withoutJit(trx);
  await withChunkMemory(trx);
  const version = await findVersion(trx, cycle.program_id, cycle.version);
  if (version === undefined) throw new Error('cycle version missing');
  const checked = evaluableVersion(version);
  const counted = { cycleId, round: cycle.round, referenceDate: cycle.reference_date };
  const counts = readsHouseholdCounts(checked);
  // Checked when the round started; a registry edit since can still make it overflow: the
  // chunk is refused whole, and the round keeps the chunks already written.
  await refusingOverflow(overflowSuspect(checked), () =>
    insertRound(trx, {
      cycleId,
      round: cycle.round,
      referenceDate: cycle.reference_date,
      checked,
      personIdRange: chunkRange(chunk, run.chunks_total),
      ...(sealed === undefined ? {} : { sealed }),
      ...(counts ? { householdCounts: householdCountsOf(counted) } : {}),
    }),
  );
  // One more chunk, counted on the row's latest version (a chunk written at once by another
  // transaction waits here for its commit); the count that reaches the total finishes the run.
  const now = new Date();
  const progress = await sql<{ chunks_done: number; chunks_total: number }>`
    update program_cycle_run
       set chunks_done = chunks_done + 1, updated_at = ${now},
           finished_at = case when chunks_done + 1 = chunks_total then ${now}::timestamptz end
     where cycle_id = ${cycleId} and round = ${cycle.round}
     returning chunks_done, chunks_total`.execute(trx);
  const row = progress.rows[0];
  if (row === undefined) throw new Error('cycle run missing');
  if (row.chunks_done === row.chunks_total) {
    if (counts) await deleteHouseholdCounts(trx, counted);
    await trx
      .updateTable('program_cycle')
      .set({ status: 'computed', updated_at: now })
      .where('id', '=', cycleId)
      .execute();
  }
  return { round: cycle.round, chunksDone: row.chunks_done, chunksTotal: row.chunks_total };
}
