import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import { residenceMunicipalityOf } from '../../registry/index.js';
import { programLimits } from '../limits.js';
import { ProgramsError } from '../programs-error.js';
import type { AppealStepKind } from '../tables.js';
import {
  type AppealDependencies,
  type AppealRequest,
  auditStep,
  guardAppealPerson,
  stepActor,
} from './appeal-guard.js';

/**
 * Filing and taking an appeal (issue #13, point 7). The person files (citizen view) or a
 * clerk files for them; it is against the program's latest cycle, which must not be closed,
 * and only while the person is out of it. Every step is a row of `appeal_step`, which the
 * person sees, and an audit entry, in the step's own transaction.
 *
 * @example
 *   const { appealId } = await appealFiler(deps, { actor, purpose: 'self', requestId,
 *     personId, programId, statement: 'Tengo 61 años; mi fecha de nacimiento está mal.' });
 */
export async function appealFiler(
  deps: AppealDependencies,
  props: AppealRequest & { personId: string; programId: string; statement: string },
): Promise<{ appealId: string; status: 'filed' }> {
  const { grant, regionCode } = await guardAppealPerson(
    deps,
    props,
    'appeal.file',
    { personId: props.personId },
    false,
  );
  const appealId = randomUUID();
  const filedAt = new Date();
  const { appeals } = programLimits;
  await deps.db.transaction().execute(async (trx) => {
    const cycle = await appealableCycle(trx, props.programId);
    const entitled = await trx
      .selectFrom('entitlement')
      .select('id')
      .where('cycle_id', '=', cycle.id)
      .where('person_id', '=', props.personId)
      .executeTakeFirst();
    if (entitled !== undefined) {
      throw new AmparoError('AMP_CONFLICT', { detail: 'You already hold this benefit' });
    }
    const filer = stepActor(props, grant);
    const inserted = await trx
      .insertInto('appeal')
      .values({
        id: appealId,
        person_id: props.personId,
        program_id: props.programId,
        cycle_id: cycle.id,
        version: cycle.version,
        region_code: regionCode,
        // Recorded for aggregate statistics only (appeals by municipality, migration 0084).
        municipality_code: residenceMunicipalityOf(sql`${props.personId}::uuid`),
        statement: props.statement,
        filed_by_kind: filer.actor_kind === 'citizen' ? 'citizen' : 'operator',
        filed_by: filer.actor_id,
        assign_due_at: new Date(filedAt.getTime() + appeals.assignWithinHours * 3_600_000),
        decide_due_at: new Date(filedAt.getTime() + appeals.decideWithinDays * 86_400_000),
        filed_at: filedAt,
      })
      .onConflict((conflict) =>
        conflict.columns(['person_id', 'cycle_id']).where('status', '<>', 'closed').doNothing(),
      )
      .executeTakeFirst();
    if (inserted.numInsertedOrUpdatedRows !== 1n) {
      throw new AmparoError('AMP_CONFLICT', {
        detail: 'An appeal for this cycle has already been filed',
      });
    }
    await addStep(trx, appealId, 'filed', props, grant);
    await auditStep(deps, trx, props, {
      grant,
      action: 'appeal.file',
      personId: props.personId,
      regionCode,
      fields: ['appeal'],
    });
  });
  return { appealId, status: 'filed' };
}

/** The program's latest cycle, locked against closing while the appeal is written. */
async function appealableCycle(trx: Transaction<Database>, programId: string) {
  const cycle = await trx
    .selectFrom('program_cycle')
    .select(['id', 'version', 'status'])
    .where('program_id', '=', programId)
    .orderBy('reference_date', 'desc')
    .limit(1)
    .forShare()
    .executeTakeFirst();
  if (cycle === undefined) {
    throw new AmparoError('AMP_NOT_FOUND', {
      detail: 'No cycle of this program to appeal: an appeal is against a cycle',
    });
  }
  if (cycle.status === 'closed') {
    throw new ProgramsError(
      'AMP_APPEAL_CYCLE_CLOSED',
      'The latest cycle of this program is closed',
    );
  }
  return cycle;
}

/** Appends the next step of an appeal (a gap-free number per appeal, under the row lock). */
export async function addStep(
  trx: Transaction<Database>,
  appealId: string,
  kind: AppealStepKind,
  request: AppealRequest | null,
  grant: Parameters<typeof stepActor>[1] | null,
): Promise<void> {
  const actor =
    request === null || grant === null
      ? { actor_kind: 'system' as const, actor_role: null, actor_id: 'registry' }
      : stepActor(request, grant);
  await sql`insert into appeal_step (appeal_id, step, kind, actor_kind, actor_role, actor_id)
    select ${appealId}::uuid, coalesce(max(step), 0) + 1, ${kind}, ${actor.actor_kind},
           ${actor.actor_role}, ${actor.actor_id}
      from appeal_step where appeal_id = ${appealId}::uuid`.execute(trx);
}

/** An appeal locked for a step; refused as missing, or 404 through the guard when outside. */
export async function lockAppeal(trx: Transaction<Database>, appealId: string) {
  const appeal = await trx
    .selectFrom('appeal')
    .selectAll()
    .where('id', '=', appealId)
    .forUpdate()
    .executeTakeFirst();
  if (appeal === undefined) throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such appeal' });
  return appeal;
}

/** The appeal's person and region, for the guard; a missing appeal is guarded as missing. */
export async function appealScope(deps: AppealDependencies, appealId: string) {
  const row = await deps.db
    .selectFrom('appeal')
    .select(['person_id', 'region_code'])
    .where('id', '=', appealId)
    .executeTakeFirst();
  return row === undefined
    ? { personId: appealId, exists: false as const }
    : { personId: row.person_id, regionCode: row.region_code };
}

/**
 * A program officer takes an appeal: it is assigned to them (again, if someone else had it).
 * Whoever filed it cannot take it. Open appeals only.
 *
 * @example
 *   await appealAssigner(deps, { actor, purpose: 'appeal', requestId, appealId });
 */
export async function appealAssigner(
  deps: AppealDependencies,
  props: AppealRequest & { appealId: string },
): Promise<{ appealId: string; status: string }> {
  const scope = await appealScope(deps, props.appealId);
  const { grant, regionCode } = await guardAppealPerson(deps, props, 'appeal.decide', scope, false);
  return deps.db.transaction().execute(async (trx) => {
    const appeal = await lockAppeal(trx, props.appealId);
    if (!['filed', 'assigned', 'awaiting_correction'].includes(appeal.status)) {
      throw new AmparoError('AMP_CONFLICT', { detail: `The appeal is ${appeal.status}` });
    }
    const actor = stepActor(props, grant);
    if (appeal.filed_by === actor.actor_id) {
      throw new AmparoError('AMP_FORBIDDEN', {
        detail: 'You filed this appeal: someone else must decide it',
      });
    }
    const status = appeal.status === 'awaiting_correction' ? appeal.status : 'assigned';
    await trx
      .updateTable('appeal')
      .set({ status, assigned_to: actor.actor_id, assigned_at: new Date(), updated_at: new Date() })
      .where('id', '=', appeal.id)
      .execute();
    await addStep(trx, appeal.id, 'assigned', props, grant);
    await auditStep(deps, trx, props, {
      grant,
      action: 'appeal.decide',
      personId: appeal.person_id,
      regionCode,
      fields: ['appeal'],
    });
    return { appealId: appeal.id, status };
  });
}
