import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { inactivePersonsRelation } from '../../registry/index.js';
import { chunkRange } from './cycle-chunks.js';
import { lockCycle } from './cycle-lock.js';

/**
 * The entitlements of an approved cycle (issue #13, point 4), written after the approval
 * chunk by chunk of the person-id space (migration 0033) — the approval answers before they
 * are (the route runs the grant after its answer, as a cycle's computation runs); progress is
 * on the cycle (`grant_chunks_done` of `grant_chunks_total`), and publication and disbursement
 * complete a grant that stopped first.
 *
 * @example
 *   await entitlementGranter(db, { cycleId, onProgress: (p) => bar.update(p.chunksDone) });
 */
export interface GrantProgress {
  chunksDone: number;
  chunksTotal: number;
}

/** Members of a chunk not granted, by the reason their entitlement would have ended with. */
interface SkippedMembers {
  death: number;
  merge: number;
  erasure: number;
}

/**
 * Writes the entitlements of an approved cycle's final round: one per member whose record is
 * still active, chunk by chunk, each chunk and the progress in one transaction under the
 * cycle's row lock (so two granters take turns and a closing waits). A member who died, was
 * merged or was erased since the freeze gets none — the registry's event found no entitlement
 * to end — and is counted on the cycle by reason. A grant stopped halfway resumes at the first
 * chunk not written; a repeat writes nothing. Stops, writing nothing more, when the cycle was
 * closed meanwhile. Answers whether every chunk is written.
 */
export async function entitlementGranter(
  db: Kysely<Database>,
  props: {
    cycleId: string;
    /** After each chunk committed; awaited (the start-up resumer renews its lease here). */
    onProgress?: (progress: GrantProgress) => void | Promise<void>;
  },
): Promise<{ granted: boolean }> {
  for (;;) {
    const step = await db.transaction().execute(async (trx) => {
      const cycle = await lockCycle(trx, props.cycleId);
      if (cycle.entitlements_granted_at !== null) return { done: true, granted: true };
      if (cycle.status !== 'approved' && cycle.status !== 'published') {
        return { done: true, granted: false };
      }
      const chunk = cycle.grant_chunks_done;
      const chunksTotal = cycle.grant_chunks_total;
      const skipped = await grantChunk(trx, cycle, chunkRange(chunk, chunksTotal));
      const chunksDone = chunk + 1;
      const finished = chunksDone >= chunksTotal;
      await trx
        .updateTable('program_cycle')
        .set((eb) => ({
          grant_chunks_done: chunksDone,
          grant_skipped_death: eb('grant_skipped_death', '+', skipped.death),
          grant_skipped_merge: eb('grant_skipped_merge', '+', skipped.merge),
          grant_skipped_erasure: eb('grant_skipped_erasure', '+', skipped.erasure),
          ...(finished ? { entitlements_granted_at: new Date() } : {}),
        }))
        .where('id', '=', cycle.id)
        .execute();
      return { done: finished, granted: finished, chunksDone, chunksTotal };
    });
    if (step.chunksDone !== undefined && step.chunksTotal !== undefined) {
      await props.onProgress?.({ chunksDone: step.chunksDone, chunksTotal: step.chunksTotal });
    }
    if (step.done) return { granted: step.granted };
  }
}

/**
 * One chunk: the members of the range whose record is not among the registry's inactive ones
 * (read over the same range; few) are inserted, then the members left out are counted by
 * status — two statements over the member table's primary key and the small inactive set.
 */
async function grantChunk(
  trx: Transaction<Database>,
  cycle: { id: string; program_id: string; round: number },
  range: { from: string; to: string | undefined },
): Promise<SkippedMembers> {
  const inactive = inactivePersonsRelation({ personIdRange: range });
  const inRange = sql`m.cycle_id = ${cycle.id} and m.round = ${cycle.round}
         and m.person_id >= ${range.from}::uuid
         ${range.to === undefined ? sql`` : sql`and m.person_id < ${range.to}::uuid`}`;
  await sql`insert into entitlement (id, cycle_id, program_id, person_id, basis, amount_minor)
      select gen_random_uuid(), m.cycle_id, ${cycle.program_id}::uuid, m.person_id, 'rule', m.amount_minor
        from program_cycle_member m
       where ${inRange}
         and not exists (select 1 from ${inactive} as s where s.person_id = m.person_id)
      on conflict (program_id, cycle_id, person_id) do nothing`.execute(trx);
  const result = await sql<SkippedMembers>`
    select count(*) filter (where s.status = 'deceased')::int as death,
           count(*) filter (where s.status = 'merged')::int as merge,
           count(*) filter (where s.status = 'erased')::int as erasure
      from ${inactive} as s
      join program_cycle_member m on m.person_id = s.person_id
     where ${inRange}`.execute(trx);
  const row = result.rows[0];
  return {
    death: Number(row?.death ?? 0),
    merge: Number(row?.merge ?? 0),
    erasure: Number(row?.erasure ?? 0),
  };
}

/** What `cycleApprover` answers besides the approval: the grant it started, if any. */
export type RunningGrant = Promise<{ granted: boolean }>;

/**
 * Starts the grant without waiting for it. The promise is marked handled here, so a caller that
 * lets it run on (the route, which logs a failure) never brings the process down with an
 * unhandled rejection; whoever awaits it still sees the error, and the grant stays resumable.
 */
export function startGrant(
  db: Kysely<Database>,
  props: { cycleId: string; onProgress?: (progress: GrantProgress) => void | Promise<void> },
): RunningGrant {
  const running = entitlementGranter(db, props);
  running.catch(() => undefined);
  return running;
}
