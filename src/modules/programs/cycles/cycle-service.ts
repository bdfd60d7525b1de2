import { randomUUID } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import type { SealedDeciding } from '../eligibility/sealed-decider.js';
import { programLimits } from '../limits.js';
import type { CheckedContent } from '../program-content.js';
import { findProgram, findVersion } from '../program-repository.js';
import { ProgramsError } from '../programs-error.js';
import { evaluableVersion } from '../stored-version.js';
import { refuseOffCadence } from './cycle-cadence.js';
import { lockCycle, refuseUnless } from './cycle-lock.js';
import {
  auditComputationChecks,
  type RoundDiff,
  type RoundSummary,
  refuseFailingComputation,
  summariseRound,
} from './cycle-members.js';
import { type ComputeOptions, cycleComputer, startRound } from './cycle-run.js';
import {
  entitlementGranter,
  type GrantProgress,
  type RunningGrant,
  startGrant,
} from './entitlement-granter.js';

/**
 * Cycles (issue #13, point 4): create for a published program at a reference date (the
 * eligible set is computed by the rule and frozen), recompute explicitly (a new round and its
 * difference from the last), approve (refused with the figures over the budget cap; two
 * different approvers above the threshold for cash), and entitlements follow from the frozen
 * set only, once each.
 *
 * @example
 *   const { cycleId } = await cycleCreator(db, { programId, referenceDate: '2026-12-01', operatorId });
 *   await cycleApprover(db, { cycleId, operatorId: approverId });
 */
async function publishedContent(
  trx: Transaction<Database>,
  programId: string,
): Promise<{ version: number; checked: CheckedContent }> {
  const program = await findProgram(trx, programId);
  if (program === undefined) throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such program' });
  if (program.status !== 'published' || program.published_version === null) {
    throw new AmparoError('AMP_CONFLICT', { detail: `The program is ${program.status}` });
  }
  const row = await findVersion(trx, programId, program.published_version);
  if (row === undefined) throw new Error('published version missing');
  return { version: row.version, checked: evaluableVersion(row) };
}

async function versionContent(
  trx: Transaction<Database>,
  programId: string,
  version: number,
): Promise<CheckedContent> {
  const row = await findVersion(trx, programId, version);
  if (row === undefined) throw new Error('cycle version missing');
  return evaluableVersion(row);
}

function checkReferenceDate(referenceDate: string): void {
  const parsed = new Date(`${referenceDate}T00:00:00Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(referenceDate) ||
    Number.isNaN(parsed.getTime()) ||
    parsed.toISOString().slice(0, 10) !== referenceDate
  ) {
    throw new AmparoError('AMP_VALIDATION', {
      errors: [{ field: '/referenceDate', reason: 'a date, YYYY-MM-DD' }],
    });
  }
}

/**
 * Creates the cycle for the program's published version at the reference date, computing
 * (the first round starts, see `cycle-run.ts`), and writes nothing when the formula fails for
 * someone. `cycleCreator` also computes it; the CLI and the HTTP route open it here and
 * compute with progress.
 */
export async function cycleOpener(
  db: Kysely<Database>,
  props: {
    programId: string;
    referenceDate: string;
    operatorId: string | null;
    /** Chunks of the computation (default: one per `limits.programs.cycleChunkPersons` active persons). */
    chunks?: number;
    /** The sealed-fact pool and audit, for a rule over sealed facts. */
    sealed?: SealedDeciding;
  },
): Promise<{ cycleId: string }> {
  checkReferenceDate(props.referenceDate);
  const cycleId = randomUUID();
  if (props.sealed !== undefined) {
    const { checked } = await db
      .transaction()
      .execute((trx) => publishedContent(trx, props.programId));
    await auditComputationChecks({
      cycleId,
      round: 1,
      referenceDate: props.referenceDate,
      checked,
      sealed: props.sealed,
    });
  }
  await db.transaction().execute(async (trx) => {
    const { version, checked } = await publishedContent(trx, props.programId);
    await refuseFailingComputation(trx, {
      cycleId,
      referenceDate: props.referenceDate,
      checked,
      ...(props.sealed === undefined ? {} : { sealed: props.sealed }),
    });
    await refuseOffCadence(trx, {
      programId: props.programId,
      cadence: checked.content.cadence,
      referenceDate: props.referenceDate,
    });
    const inserted = await trx
      .insertInto('program_cycle')
      .values({
        id: cycleId,
        program_id: props.programId,
        version,
        reference_date: props.referenceDate,
        status: 'computing',
        created_by: props.operatorId,
      })
      .onConflict((conflict) => conflict.columns(['program_id', 'reference_date']).doNothing())
      .executeTakeFirst();
    if (inserted.numInsertedOrUpdatedRows !== 1n) {
      throw new AmparoError('AMP_CONFLICT', {
        detail: `The program already has a cycle for ${props.referenceDate}`,
      });
    }
    await startRound(trx, { cycleId, round: 1, startedBy: props.operatorId }, props.chunks);
  });
  return { cycleId };
}

export async function cycleCreator(
  db: Kysely<Database>,
  props: {
    programId: string;
    referenceDate: string;
    operatorId: string | null;
    chunks?: number;
    onProgress?: ComputeOptions['onProgress'];
    sealed?: SealedDeciding;
    workers?: number;
  },
): Promise<{ cycleId: string; summary: RoundSummary }> {
  const { cycleId } = await cycleOpener(db, props);
  const { summary } = await cycleComputer(db, {
    cycleId,
    ...(props.onProgress === undefined ? {} : { onProgress: props.onProgress }),
    ...(props.sealed === undefined ? {} : { sealed: props.sealed }),
    ...(props.workers === undefined ? {} : { workers: props.workers }),
  });
  return { cycleId, summary };
}

/**
 * Computes the set again (a new round, with progress like the first) and says who entered and
 * left, by state. Approvals of the earlier round no longer count.
 */
export async function cycleRecomputer(
  db: Kysely<Database>,
  props: {
    cycleId: string;
    /** Who asks for it: barred from approving the cycle, as its creator is. */
    operatorId: string | null;
    onProgress?: ComputeOptions['onProgress'];
    sealed?: SealedDeciding;
  },
): Promise<{ round: number; summary: RoundSummary; diff: RoundDiff }> {
  if (props.sealed !== undefined) {
    const sealed = props.sealed;
    await db
      .transaction()
      .execute(async (trx) => {
        const cycle = await lockCycle(trx, props.cycleId);
        return {
          cycle,
          checked: await versionContent(trx, cycle.program_id, cycle.version),
        };
      })
      .then(({ cycle, checked }) =>
        auditComputationChecks({
          cycleId: cycle.id,
          round: cycle.round + 1,
          referenceDate: cycle.reference_date,
          checked,
          sealed,
        }),
      );
  }
  await db.transaction().execute(async (trx) => {
    const cycle = await lockCycle(trx, props.cycleId);
    refuseUnless(cycle, 'computed');
    const checked = await versionContent(trx, cycle.program_id, cycle.version);
    await refuseFailingComputation(trx, {
      cycleId: cycle.id,
      referenceDate: cycle.reference_date,
      checked,
      ...(props.sealed === undefined ? {} : { sealed: props.sealed }),
    });
    const round = cycle.round + 1;
    await trx
      .updateTable('program_cycle')
      .set({ round, status: 'computing', updated_at: new Date() })
      .where('id', '=', cycle.id)
      .execute();
    await startRound(trx, { cycleId: cycle.id, round, startedBy: props.operatorId });
  });
  const outcome = await cycleComputer(db, {
    cycleId: props.cycleId,
    ...(props.onProgress === undefined ? {} : { onProgress: props.onProgress }),
    ...(props.sealed === undefined ? {} : { sealed: props.sealed }),
  });
  // Safe: a recomputed round is at least the second, so there is a previous one to compare.
  return { round: outcome.round, summary: outcome.summary, diff: outcome.diff as RoundDiff };
}

/** What the benefit costs against the cap: money for cash and vouchers, benefits otherwise. */
export function costOf(checked: CheckedContent, summary: RoundSummary): bigint {
  return 'basket' in checked.content.benefit ? summary.eligible : summary.totalMinor;
}

/** Two different approvers for money over the configured threshold, one otherwise. */
export function requiredApprovals(checked: CheckedContent, cost: bigint): 1 | 2 {
  const money = !('basket' in checked.content.benefit);
  return money && cost > programLimits.cycleSecondApproverAboveMinor ? 2 : 1;
}

/** Where a cycle's approvals stand after one more. */
export interface ApprovalOutcome {
  status: 'computed' | 'approved';
  approvals: number;
  required: number;
}

/**
 * Records one approval of the cycle's current round (`approvalRecorder`: over the budget cap
 * it is refused with the figures; concurrent approvals queue on the cycle's row lock; the same
 * approver counts once) and answers as soon as it is recorded. The approval that completes the
 * number required makes the cycle approved and starts writing its entitlements chunk by chunk
 * (`entitlementGranter`) without waiting for them: `granting` is that running grant (null
 * otherwise). Await it to have every entitlement; a grant that stops is resumable, and
 * publication and disbursement complete it first.
 */
export async function cycleApprover(
  db: Kysely<Database>,
  props: {
    cycleId: string;
    operatorId: string;
    onGrantProgress?: (progress: GrantProgress) => void;
  },
): Promise<ApprovalOutcome & { granting: RunningGrant | null }> {
  const outcome = await approvalRecorder(db, props);
  if (outcome.status !== 'approved') return { ...outcome, granting: null };
  const granting = startGrant(db, {
    cycleId: props.cycleId,
    ...(props.onGrantProgress === undefined ? {} : { onProgress: props.onGrantProgress }),
  });
  return { ...outcome, granting };
}

/**
 * Who computed the cycle: its creator and whoever started any of its rounds (a recomputation).
 * Two persons: none of them approves it (they chose when its set was computed).
 */
export async function cycleComputedBy(
  db: Kysely<Database> | Transaction<Database>,
  cycle: { id: string; created_by: string | null },
): Promise<Set<string>> {
  const runs = await db
    .selectFrom('program_cycle_run')
    .select('started_by')
    .where('cycle_id', '=', cycle.id)
    .execute();
  const ids = [cycle.created_by, ...runs.map((run) => run.started_by)];
  return new Set(ids.filter((id): id is string => id !== null));
}

async function refuseOwnComputation(
  trx: Transaction<Database>,
  cycle: { id: string; created_by: string | null },
  operatorId: string,
): Promise<void> {
  if ((await cycleComputedBy(trx, cycle)).has(operatorId)) {
    throw new AmparoError('AMP_FORBIDDEN', {
      detail:
        'The operator who created or recomputed the cycle cannot approve it; a different operator must',
    });
  }
}

/**
 * The decision of an approval, in one transaction and without writing entitlements: its cost
 * is a summary of the frozen round (counts and totals), whatever the number of beneficiaries.
 */
export async function approvalRecorder(
  db: Kysely<Database>,
  props: {
    cycleId: string;
    operatorId: string;
    /** Chunks of the grant (default: one up to `grantChunkRows` beneficiaries, else `grantChunks`). */
    grantChunks?: number;
  },
): Promise<ApprovalOutcome> {
  return db.transaction().execute(async (trx) => {
    const cycle = await lockCycle(trx, props.cycleId);
    refuseUnless(cycle, 'computed');
    await refuseOwnComputation(trx, cycle, props.operatorId);
    const checked = await versionContent(trx, cycle.program_id, cycle.version);
    const summary = await summariseRound(trx, cycle.id, cycle.round);
    const cost = costOf(checked, summary);
    if (cost > checked.content.budgetCap) {
      throw new ProgramsError(
        'AMP_BUDGET_EXCEEDED',
        `${summary.eligible} eligible; the cycle would cost ${cost}, over the cap of ${checked.content.budgetCap}`,
      );
    }
    const required = requiredApprovals(checked, cost);
    const approved = await trx
      .insertInto('program_cycle_approval')
      .values({ cycle_id: cycle.id, round: cycle.round, approved_by: props.operatorId })
      .onConflict((conflict) => conflict.columns(['cycle_id', 'round', 'approved_by']).doNothing())
      .executeTakeFirst();
    if (approved.numInsertedOrUpdatedRows !== 1n) {
      throw new AmparoError('AMP_CONFLICT', {
        detail: 'You have approved this cycle already; a different approver is needed',
      });
    }
    const approvals = await trx
      .selectFrom('program_cycle_approval')
      .select((eb) => eb.fn.countAll<bigint>().as('count'))
      .where('cycle_id', '=', cycle.id)
      .where('round', '=', cycle.round)
      .executeTakeFirstOrThrow();
    const count = Number(approvals.count);
    const complete = count >= required;
    await trx
      .updateTable('program_cycle')
      .set({
        ...(complete
          ? {
              status: 'approved' as const,
              grant_chunks_total:
                props.grantChunks ??
                (summary.eligible <= BigInt(programLimits.grantChunkRows)
                  ? 1
                  : programLimits.grantChunks),
            }
          : {}),
        approvals_required: required,
        updated_at: new Date(),
      })
      .where('id', '=', cycle.id)
      .execute();
    return {
      status: complete ? ('approved' as const) : ('computed' as const),
      approvals: count,
      required,
    };
  });
}

/**
 * Publishes an approved cycle: its entitlements stand and each beneficiary is told, inside the
 * same transaction (`onPublished`, the notifications module's outbox), so a published cycle
 * whose messages were not queued cannot exist.
 */
export async function cyclePublisher(
  db: Kysely<Database>,
  props: {
    cycleId: string;
    operatorId: string;
    onPublished?: (
      trx: Transaction<Database>,
      cycle: { id: string; programId: string },
    ) => Promise<void>;
  },
): Promise<{ status: 'published'; entitlements: number }> {
  // An approval whose grant stopped halfway (a crash) is completed first.
  await entitlementGranter(db, { cycleId: props.cycleId });
  return db.transaction().execute(async (trx) => {
    const cycle = await lockCycle(trx, props.cycleId);
    refuseUnless(cycle, 'approved');
    if (cycle.entitlements_granted_at === null) {
      throw new AmparoError('AMP_CONFLICT', { detail: 'The entitlements are still being written' });
    }
    await trx
      .updateTable('program_cycle')
      .set({ status: 'published', updated_at: new Date() })
      .where('id', '=', cycle.id)
      .execute();
    await props.onPublished?.(trx, { id: cycle.id, programId: cycle.program_id });
    const count = await trx
      .selectFrom('entitlement')
      .select((eb) => eb.fn.countAll<bigint>().as('count'))
      .where('cycle_id', '=', cycle.id)
      .executeTakeFirstOrThrow();
    return { status: 'published' as const, entitlements: Number(count.count) };
  });
}

/** Told inside the closing transaction, before the cycle's open entitlements end. */
export type CycleClosingHook = (
  trx: Transaction<Database>,
  cycle: { id: string; programId: string },
) => Promise<void>;

/**
 * Closes a cycle for good: its open entitlements end (reason `cycle_closed`). A cycle still
 * computing or awaiting approval may be closed too (abandoned); its frozen rounds remain.
 * `onClosing` runs in the same transaction while the entitlements are still open (distribution
 * expires what was not taken, or carries it over by the basket's rule).
 */
export async function cycleCloser(
  db: Kysely<Database>,
  props: { cycleId: string; operatorId: string; onClosing?: CycleClosingHook },
): Promise<{ status: 'closed'; entitlementsEnded: number }> {
  return db.transaction().execute(async (trx) => {
    const cycle = await lockCycle(trx, props.cycleId);
    refuseUnless(cycle, 'computing', 'computed', 'approved', 'published');
    await props.onClosing?.(trx, { id: cycle.id, programId: cycle.program_id });
    // The close is the database's clock, not the application's: it bounds the cycle's stock
    // window (`cycleForReconciliation`), and the stock ledger's movements and counts are stamped
    // by the database (`recorded_at`, `counted_at` default now()). One clock, so a movement is in
    // the window its own timestamp says, whatever the two machines' clocks disagree by. now()
    // is this transaction's start; read once as a date, the value stored is the value compared.
    const clock = await sql<{ now: Date }>`select now() as now`.execute(trx);
    const now = new Date((clock.rows[0] as { now: Date }).now); // Safe: select now() has one row.
    await trx
      .updateTable('program_cycle')
      .set({ status: 'closed', updated_at: now })
      .where('id', '=', cycle.id)
      .execute();
    const ended = await trx
      .updateTable('entitlement')
      .set({ status: 'ended', ended_reason: 'cycle_closed', ended_at: now })
      .where('cycle_id', '=', cycle.id)
      .where('status', '=', 'open')
      .executeTakeFirst();
    return { status: 'closed' as const, entitlementsEnded: Number(ended.numUpdatedRows) };
  });
}
