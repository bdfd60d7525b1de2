import { limits } from '../../../limits.js';
import type {
  HoldObjectionDecision,
  HoldObjectionDetail,
  HoldObjectionQueueItem,
  HoldObjectionStatus,
} from '../../../shared/api/hold-objections.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import { guardRegionalAccess } from '../../access/index.js';
import { localDate } from '../../notifications/index.js';
import {
  type DistributionContext,
  type DistributionDependencies,
  nowOf,
} from '../distribution-context.js';
import { DistributionError } from '../distribution-error.js';
import { refuseAudited } from '../point-gate.js';
import { operatorIdOf } from '../points/point-service.js';
import { objectionWrite } from './hold-objection-service.js';
import {
  guardedHold,
  type HoldRow,
  holdRows,
  liftInTransaction,
  objectionStatusOf,
  statusOf,
  withProgramCodes,
} from './hold-service.js';

/**
 * The program officers' side of an objection to a hold (docs/DISTRIBUTION.md, "Objecting to a
 * hold"), under `appeal.decide` like an appeal: the queue of their regions' undecided
 * objections whose hold is in force, one objection opened (the person's statement and the
 * supervisor's note, audited as a read of the person), and the decision — upheld lifts the hold
 * through the lift's own path, rejected keeps it with a reason the person reads. Neither the
 * supervisor who placed the hold nor whoever filed the objection decides it.
 *
 * @example
 *   await holdObjectionDecider(deps, context, objectionId, { outcome: 'upheld' });
 */
export async function holdObjectionDecider(
  deps: DistributionDependencies,
  context: DistributionContext,
  objectionId: string,
  decision: HoldObjectionDecision,
): Promise<{ objectionId: string; status: HoldObjectionStatus }> {
  const { found, write, resource } = await guardedObjection(deps, context, objectionId, false);
  const decider = operatorIdOf(write.actor);
  if (decider === found.placed_by || decider === found.objection_filed_by) {
    await refuseAudited(deps, write, resource, 'AMP_HOLD_OBJECTION_SEPARATION', 'Not yours');
  }
  if (found.objection_outcome !== null) {
    await refuseAudited(deps, write, resource, 'AMP_HOLD_OBJECTION_DECIDED', 'Decided already');
  }
  const now = nowOf(deps);
  if (statusOf(found, now) !== 'in_force') {
    await refuseAudited(deps, write, resource, 'AMP_HOLD_OBJECTION_HOLD_ENDED', 'Hold ended');
  }
  const reason = decision.reason?.trim() ?? '';
  await deps.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('entitlement_hold_objection_decision')
      .values({
        objection_id: objectionId,
        outcome: decision.outcome,
        reason,
        decided_by: decider as string, // Safe: only operators hold `appeal.decide`.
        decided_at: now,
      })
      .onConflict((conflict) => conflict.column('objection_id').doNothing())
      .executeTakeFirst();
    if (inserted.numInsertedOrUpdatedRows !== 1n) {
      throw new DistributionError('AMP_HOLD_OBJECTION_DECIDED', 'Decided already');
    }
    await deps.audit.appendInTransaction(trx, [
      writeAuditEntry(write, resource, ['hold_objection'], context.requestId),
    ]);
    if (decision.outcome === 'upheld') {
      await liftInTransaction(deps, trx, {
        write,
        resource,
        holdId: found.id,
        personId: found.person_id,
        now,
        note: reason === '' ? 'Objection upheld' : `Objection upheld: ${reason}`.slice(0, 500),
        fields: ['entitlement_hold_lift'],
      });
    } else {
      await deps.notifier?.notify(trx, found.person_id, {
        event: 'hold_objection_rejected',
        date: localDate(now),
        until: localDate(new Date(found.lapses_at)),
      });
    }
  });
  return { objectionId, status: decision.outcome };
}

/** One objection opened to decide it: the statement and the supervisor's note (audited read). */
export async function holdObjectionView(
  deps: DistributionDependencies,
  context: DistributionContext,
  objectionId: string,
): Promise<HoldObjectionDetail> {
  const { found, grant } = await guardedObjection(deps, context, objectionId, true);
  const statement = await deps.db
    .selectFrom('entitlement_hold_objection')
    .select('statement')
    .where('id', '=', objectionId)
    .executeTakeFirstOrThrow();
  await grant.record(['hold_objection']);
  const [row] = await withProgramCodes(deps.db, [found]);
  const now = nowOf(deps);
  return {
    ...queueItem(row as NonNullable<typeof row>, now), // Safe: one row in, one row out.
    statement: statement.statement,
    holdNote: found.note,
    placedAt: new Date(found.placed_at).toISOString(),
  };
}

/** The undecided objections of the caller's regions whose hold is in force, oldest due first. */
export async function holdObjectionQueue(
  deps: DistributionDependencies,
  context: DistributionContext,
): Promise<HoldObjectionQueueItem[]> {
  const { grant, regions } = await guardRegionalAccess(deps, {
    actor: context.actor,
    action: 'appeal.decide',
    resource: { type: 'person', id: null },
    purpose: context.purpose,
    requestId: context.requestId,
  });
  const now = nowOf(deps);
  const rows =
    regions.length === 0
      ? []
      : await holdRows(deps.db)
          .where('o.region_code', 'in', regions)
          .where('d.objection_id', 'is', null)
          .where('l.hold_id', 'is', null)
          .where('h.lapses_at', '>', now)
          .orderBy('o.decide_due_at')
          .limit(limits.distribution.entitlementHoldListMax)
          .execute();
  await grant.record([]);
  return (await withProgramCodes(deps.db, rows)).map((row) => queueItem(row, now));
}

function queueItem(row: HoldRow & { program_code: string }, now: Date): HoldObjectionQueueItem {
  const due = new Date(row.objection_due_at ?? now);
  const status = objectionStatusOf(row, now);
  return {
    objectionId: row.objection_id ?? '',
    holdId: row.id,
    personId: row.person_id,
    regionCode: row.region_code,
    programCode: row.program_code,
    holdReason: row.reason,
    holdStatus: statusOf(row, now),
    lapsesAt: new Date(row.lapses_at).toISOString(),
    status,
    filedBy: row.objection_filed_by_kind ?? 'citizen',
    filedAt: new Date(row.objection_filed_at ?? now).toISOString(),
    decideDueAt: due.toISOString(),
    overdue: status === 'open' && due.getTime() < now.getTime(),
  };
}

/** The objection and its hold, through the guard (`appeal.decide`, the objection's region). */
async function guardedObjection(
  deps: DistributionDependencies,
  context: DistributionContext,
  objectionId: string,
  countsAsPersonRead: boolean,
) {
  const { hold, resource, grant } = await guardedHold(deps, context, {
    action: 'appeal.decide',
    by: 'o.id',
    id: objectionId,
    countsAsPersonRead,
  });
  const found = hold as NonNullable<typeof hold>; // Safe: the guard refused a missing objection.
  const write = objectionWrite(context, 'appeal.decide', found.region_code, grant);
  return { found, grant, write, resource };
}
