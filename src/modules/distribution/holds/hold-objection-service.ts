import { randomUUID } from 'node:crypto';
import { limits } from '../../../limits.js';
import type { Actor } from '../../../shared/access/actor.js';
import type { HoldObjectionStatus } from '../../../shared/api/hold-objections.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import { guardPersonAccess } from '../../access/index.js';
import {
  type DistributionContext,
  type DistributionDependencies,
  nowOf,
} from '../distribution-context.js';
import { DistributionError } from '../distribution-error.js';
import { type RequestWrite, refuseAudited } from '../point-gate.js';
import { holdRows, statusOf } from './hold-service.js';

/** The hold of that id (none for a malformed id): the person's region decides who files. */
const holdsById = (deps: DistributionDependencies, holdId: string) =>
  /^[0-9a-f-]{36}$/i.test(holdId)
    ? holdRows(deps.db).where('h.id', '=', holdId).limit(1).execute()
    : Promise.resolve([]);

/**
 * A person's objection to a hold on their entitlement (docs/DISTRIBUTION.md, "Objecting to a
 * hold"; safeguard 9). The person (`appeal.file`, purpose `self`) or an enrolment clerk at the
 * counter for them (purpose `appeal`) files it against a hold in force, with a statement; one
 * objection per hold. Audited on the person; the officers' queue and the decision are in
 * hold-objection-decider.ts.
 *
 * @example
 *   const { objectionId } = await holdObjectionFiler(deps, context, holdId,
 *     { statement: 'La denuncia no es mía: mi cédula fue usada por otra persona.' });
 */
export async function holdObjectionFiler(
  deps: DistributionDependencies,
  context: DistributionContext,
  holdId: string,
  props: { statement: string },
): Promise<{ objectionId: string; status: HoldObjectionStatus }> {
  const [hold] = await holdsById(deps, holdId);
  // The person's current region decides who may file for them (a clerk of where they live now),
  // as an appeal is filed; the objection is decided in the hold's region.
  const person = hold === undefined ? undefined : await deps.personRegion?.(hold.person_id);
  const resource = { type: 'person' as const, id: hold?.person_id ?? null };
  const grant = await guardPersonAccess(deps, {
    actor: context.actor,
    action: 'appeal.file',
    resource,
    regionCode: person?.regionCode ?? null,
    personId: hold?.person_id ?? null,
    exists: hold !== undefined && person !== undefined,
    purpose: context.purpose,
    requestId: context.requestId,
    countsAsPersonRead: false,
  });
  const found = hold as NonNullable<typeof hold>; // Safe: the guard refused a missing hold.
  const write = objectionWrite(context, 'appeal.file', found.region_code, grant);
  const now = nowOf(deps);
  if (statusOf(found, now) !== 'in_force') {
    await refuseAudited(deps, write, resource, 'AMP_HOLD_OBJECTION_HOLD_ENDED', 'Not in force');
  }
  if (found.objection_id !== null) {
    await refuseAudited(deps, write, resource, 'AMP_HOLD_OBJECTION_FILED', 'Filed already');
  }
  const objectionId = randomUUID();
  const actor = context.actor as Actor; // Safe: the guard refuses a missing actor.
  const dueMs = limits.distribution.holdObjectionDecideWithinDays * 86_400_000;
  await deps.db.transaction().execute(async (trx) => {
    // Two filings at once: the unique index on hold_id keeps one, the other is refused.
    const inserted = await trx
      .insertInto('entitlement_hold_objection')
      .values({
        id: objectionId,
        hold_id: found.id,
        person_id: found.person_id,
        region_code: found.region_code,
        statement: props.statement,
        filed_by_kind: actor.kind === 'citizen' ? 'citizen' : 'operator',
        filed_by: filerIdOf(actor),
        filed_at: now,
        decide_due_at: new Date(now.getTime() + dueMs),
      })
      .onConflict((conflict) => conflict.column('hold_id').doNothing())
      .executeTakeFirst();
    if (inserted.numInsertedOrUpdatedRows !== 1n) {
      throw new DistributionError('AMP_HOLD_OBJECTION_FILED', 'Filed already');
    }
    await deps.audit.appendInTransaction(trx, [
      writeAuditEntry(write, resource, ['hold_objection'], context.requestId),
    ]);
  });
  return { objectionId, status: 'open' };
}

/** Who filed or decides, as the objection records it: the person's id or the operator's. */
export function filerIdOf(actor: Actor): string {
  if (actor.kind === 'citizen') return actor.personId;
  if (actor.kind === 'operator') return actor.operatorId;
  return actor.job;
}

export function objectionWrite(
  context: DistributionContext,
  action: 'appeal.file' | 'appeal.decide',
  regionCode: string,
  grant: RequestWrite['grant'],
): RequestWrite {
  return {
    actor: context.actor as Actor, // Safe: the guard refuses a missing actor.
    action,
    regionCode,
    grant,
    requestId: context.requestId,
  };
}
