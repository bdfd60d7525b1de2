import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import type { CycleView, RoundDiffView } from '../../../shared/api/programs.js';
import { findVersion } from '../program-repository.js';
import { cycleSummary } from '../program-views.js';
import { evaluableVersion } from '../stored-version.js';
import { diffRounds, diffSets, type RoundDiff, summariseRound } from './cycle-members.js';
import { costOf, cycleComputedBy, requiredApprovals } from './cycle-service.js';

/**
 * What the cycle page and the approvers see (issue #13, point 4): the computation's progress,
 * counts and totals by state, the cost against the budget cap, the approvals given and
 * needed, and who entered and left — by state, never a list of persons — against the
 * previous round and against the program's previous cycle.
 *
 * @example
 *   const view = await cycleView(db, cycleId);
 */
function diffView(diff: RoundDiff): RoundDiffView {
  const counts = (side: RoundDiff['entered']) =>
    side.map((state) => ({ regionCode: state.regionCode, count: state.count.toString() }));
  return { entered: counts(diff.entered), left: counts(diff.left) };
}

export async function cycleView(
  db: Kysely<Database>,
  cycleId: string,
  /** The operator who reads it: whether they may still approve it (two-person rule). */
  viewerId?: string,
): Promise<CycleView> {
  const cycle = await db
    .selectFrom('program_cycle')
    .selectAll()
    .where('id', '=', cycleId)
    .executeTakeFirst();
  if (cycle === undefined) throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such cycle' });
  const program = await db
    .selectFrom('program')
    .select(['id', 'code'])
    .where('id', '=', cycle.program_id)
    .executeTakeFirstOrThrow();
  const version = await findVersion(db, cycle.program_id, cycle.version);
  if (version === undefined) throw new Error('cycle version missing');
  const checked = evaluableVersion(version);
  const run = await db
    .selectFrom('program_cycle_run')
    .selectAll()
    .where('cycle_id', '=', cycle.id)
    .where('round', '=', cycle.round)
    .executeTakeFirst();
  const summary = await summariseRound(db, cycle.id, cycle.round);
  const cost = costOf(checked, summary);
  const computed = cycle.status !== 'computing';
  const previous = await db
    .selectFrom('program_cycle')
    .select(['id', 'reference_date', 'round'])
    .where('program_id', '=', cycle.program_id)
    .where('reference_date', '<', cycle.reference_date)
    .where('status', '<>', 'computing')
    .orderBy('reference_date', 'desc')
    .limit(1)
    .executeTakeFirst();
  const approvals = await db
    .selectFrom('program_cycle_approval')
    .select(['approved_by', 'approved_at'])
    .where('cycle_id', '=', cycle.id)
    .where('round', '=', cycle.round)
    .orderBy('approved_at')
    .execute();
  const entitlements = await sql<{ open: bigint; ended: bigint }>`
    select count(*) filter (where status = 'open')::int8 as open,
           count(*) filter (where status = 'ended')::int8 as ended
      from entitlement where cycle_id = ${cycle.id}`.execute(db);
  const counted = entitlements.rows[0];
  return {
    cycle: cycleSummary(cycle),
    program: {
      id: program.id,
      code: program.code,
      name: { es: version.name_es, en: version.name_en },
      kind: version.kind,
      currency: version.currency,
    },
    progress: {
      round: cycle.round,
      chunksDone: run?.chunks_done ?? 0,
      chunksTotal: run?.chunks_total ?? 1,
      startedAt: (run?.started_at ?? cycle.created_at).toISOString(),
      finishedAt: run?.finished_at?.toISOString() ?? null,
    },
    grant: {
      chunksDone: cycle.grant_chunks_done,
      chunksTotal: cycle.grant_chunks_total,
      finishedAt: cycle.entitlements_granted_at?.toISOString() ?? null,
      skipped: {
        death: cycle.grant_skipped_death,
        merge: cycle.grant_skipped_merge,
        erasure: cycle.grant_skipped_erasure,
      },
    },
    summary: {
      eligible: summary.eligible.toString(),
      totalMinor: summary.totalMinor.toString(),
      byState: summary.byState.map((state) => ({
        regionCode: state.regionCode,
        eligible: state.eligible.toString(),
        totalMinor: state.totalMinor.toString(),
      })),
    },
    budget: {
      cap: checked.content.budgetCap.toString(),
      cost: cost.toString(),
      exceeded: cost > checked.content.budgetCap,
      measuredIn: 'basket' in checked.content.benefit ? 'benefits' : 'minor_units',
    },
    approvals: {
      required: requiredApprovals(checked, cost),
      given: approvals.map((row) => ({
        approvedBy: row.approved_by,
        approvedAt: row.approved_at.toISOString(),
      })),
      byViewerAllowed:
        viewerId !== undefined &&
        cycle.status === 'computed' &&
        !(await cycleComputedBy(db, cycle)).has(viewerId) &&
        !approvals.some((row) => row.approved_by === viewerId),
    },
    diffPreviousRound:
      computed && cycle.round > 1
        ? diffView(await diffRounds(db, cycle.id, cycle.round - 1, cycle.round))
        : null,
    previousCycle:
      previous === undefined ? null : { id: previous.id, referenceDate: previous.reference_date },
    diffPreviousCycle:
      computed && previous !== undefined
        ? diffView(
            await diffSets(
              db,
              { cycleId: previous.id, round: previous.round },
              { cycleId: cycle.id, round: cycle.round },
            ),
          )
        : null,
    entitlements: {
      open: (counted?.open ?? 0n).toString(),
      ended: (counted?.ended ?? 0n).toString(),
    },
  };
}
