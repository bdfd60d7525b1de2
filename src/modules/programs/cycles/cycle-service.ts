import { randomUUID } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import { programLimits } from '../limits.js';
import { type CheckedContent, checkContent, contentOf } from '../program-content.js';
import { findProgram, findVersion } from '../program-repository.js';
import { ProgramsError } from '../programs-error.js';
import {
  diffRounds,
  insertRound,
  type RoundDiff,
  type RoundSummary,
  summariseRound,
} from './cycle-members.js';

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
  return { version: row.version, checked: checkContent(contentOf(row)) };
}

async function versionContent(
  trx: Transaction<Database>,
  programId: string,
  version: number,
): Promise<CheckedContent> {
  const row = await findVersion(trx, programId, version);
  if (row === undefined) throw new Error('cycle version missing');
  return checkContent(contentOf(row));
}

export async function cycleCreator(
  db: Kysely<Database>,
  props: { programId: string; referenceDate: string; operatorId: string | null },
): Promise<{ cycleId: string; summary: RoundSummary }> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(props.referenceDate)) {
    throw new AmparoError('AMP_VALIDATION', {
      errors: [{ field: '/referenceDate', reason: 'a date, YYYY-MM-DD' }],
    });
  }
  const cycleId = randomUUID();
  return db.transaction().execute(async (trx) => {
    const { version, checked } = await publishedContent(trx, props.programId);
    const inserted = await trx
      .insertInto('program_cycle')
      .values({
        id: cycleId,
        program_id: props.programId,
        version,
        reference_date: props.referenceDate,
        created_by: props.operatorId,
      })
      .onConflict((conflict) => conflict.columns(['program_id', 'reference_date']).doNothing())
      .executeTakeFirst();
    if (inserted.numInsertedOrUpdatedRows !== 1n) {
      throw new AmparoError('AMP_CONFLICT', {
        detail: `The program already has a cycle for ${props.referenceDate}`,
      });
    }
    await insertRound(trx, { cycleId, round: 1, referenceDate: props.referenceDate, checked });
    return { cycleId, summary: await summariseRound(trx, cycleId, 1) };
  });
}

async function lockCycle(trx: Transaction<Database>, cycleId: string) {
  const cycle = await trx
    .selectFrom('program_cycle')
    .selectAll()
    .where('id', '=', cycleId)
    .forUpdate()
    .executeTakeFirst();
  if (cycle === undefined) throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such cycle' });
  return cycle;
}

/** Computes the set again (a new round) and says who entered and left, by state. */
export async function cycleRecomputer(
  db: Kysely<Database>,
  props: { cycleId: string },
): Promise<{ round: number; summary: RoundSummary; diff: RoundDiff }> {
  return db.transaction().execute(async (trx) => {
    const cycle = await lockCycle(trx, props.cycleId);
    if (cycle.status !== 'computed') {
      throw new AmparoError('AMP_CONFLICT', { detail: `The cycle is ${cycle.status}` });
    }
    const checked = await versionContent(trx, cycle.program_id, cycle.version);
    const round = cycle.round + 1;
    await insertRound(trx, {
      cycleId: cycle.id,
      round,
      referenceDate: cycle.reference_date,
      checked,
    });
    await trx
      .updateTable('program_cycle')
      .set({ round, updated_at: new Date() })
      .where('id', '=', cycle.id)
      .execute();
    const summary = await summariseRound(trx, cycle.id, round);
    return { round, summary, diff: await diffRounds(trx, cycle.id, cycle.round, round) };
  });
}

/** What the benefit costs against the cap: money for cash and vouchers, benefits otherwise. */
function costOf(checked: CheckedContent, summary: RoundSummary): bigint {
  return 'basket' in checked.content.benefit ? summary.eligible : summary.totalMinor;
}

/**
 * Records one approval of the cycle's current round. Over the budget cap it is refused with
 * the figures. The approval that completes the number required creates the entitlements.
 * Concurrent approvals queue on the cycle's row lock; the same approver counts once.
 */
export async function cycleApprover(
  db: Kysely<Database>,
  props: { cycleId: string; operatorId: string },
): Promise<{ status: 'computed' | 'approved'; approvals: number; required: number }> {
  return db.transaction().execute(async (trx) => {
    const cycle = await lockCycle(trx, props.cycleId);
    if (cycle.status !== 'computed') {
      throw new AmparoError('AMP_CONFLICT', { detail: `The cycle is ${cycle.status}` });
    }
    const checked = await versionContent(trx, cycle.program_id, cycle.version);
    const summary = await summariseRound(trx, cycle.id, cycle.round);
    const cost = costOf(checked, summary);
    if (cost > checked.content.budgetCap) {
      throw new ProgramsError(
        'AMP_BUDGET_EXCEEDED',
        `${summary.eligible} eligible; the cycle would cost ${cost}, over the cap of ${checked.content.budgetCap}`,
      );
    }
    const money = !('basket' in checked.content.benefit);
    const required = money && cost > programLimits.cycleSecondApproverAboveMinor ? 2 : 1;
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
    if (count < required) {
      await trx
        .updateTable('program_cycle')
        .set({ approvals_required: required, updated_at: new Date() })
        .where('id', '=', cycle.id)
        .execute();
      return { status: 'computed', approvals: count, required };
    }
    await grantEntitlements(trx, cycle.id, cycle.program_id, cycle.round);
    await trx
      .updateTable('program_cycle')
      .set({ status: 'approved', approvals_required: required, updated_at: new Date() })
      .where('id', '=', cycle.id)
      .execute();
    return { status: 'approved', approvals: count, required };
  });
}

/** One entitlement per member of the frozen round; a repeat inserts nothing. */
async function grantEntitlements(
  trx: Transaction<Database>,
  cycleId: string,
  programId: string,
  round: number,
): Promise<void> {
  await sql`insert into entitlement (id, cycle_id, program_id, person_id, basis, amount_minor)
    select gen_random_uuid(), m.cycle_id, ${programId}::uuid, m.person_id, 'rule', m.amount_minor
      from program_cycle_member m where m.cycle_id = ${cycleId} and m.round = ${round}
    on conflict (program_id, cycle_id, person_id) do nothing`.execute(trx);
}
