import { Type } from 'typebox';
import type { Actor, OperatorActor, Purpose } from '../../../shared/access/actor.js';
import type { Action } from '../../../shared/access/policy.js';
import { guardPersonAccess } from '../../access/index.js';
import { personRegionLookup } from '../../registry/index.js';
import type { PaymentsDependencies } from '../payments-context.js';
import { Uuid } from './merchant-schemas.js';
import { auditedRefusals } from './refusal-audit.js';

/** A check of a person, in the address of the approver's routes. */
export const CheckParams = Type.Object({ personId: Uuid, checkId: Uuid });

export function operatorOf(actor: Actor | null): OperatorActor {
  // Safe: every route below is gated first, and only operators hold these actions.
  return actor as OperatorActor;
}

/**
 * The gate on one person's PIN or payee account: the action, in the operator's regions, audited
 * on the person. `countsAsPersonRead` when the answer shows something of the person (the photo
 * on file, their payee account), counted against the operator's read quota.
 */
export async function guardStaffCheck(
  deps: PaymentsDependencies,
  request: { actor: Actor | null; id: string; query: { purpose?: Purpose | undefined } },
  action: Action,
  personId: string,
  countsAsPersonRead = false,
) {
  const person = await personRegionLookup(deps.db)(personId);
  return guardPersonAccess(deps, {
    actor: request.actor,
    action,
    resource: { type: 'person', id: personId },
    regionCode: person?.regionCode ?? null,
    personId: person?.personId ?? null,
    exists: person !== undefined,
    purpose: request.query.purpose ?? null,
    requestId: request.id,
    countsAsPersonRead,
  });
}

/**
 * One step on a person's PIN, as every staff route takes it: the gate, the step (a refusal in it
 * audited as denied on the person, with its `AMP_*` code), then the grant recorded with the
 * fields the step touched. Answers what the step answered.
 *
 * @example
 *   const approved = await pinStep(deps, request, 'payment.pin_approve', personId,
 *     (operatorId) => pinCheckApprover(deps.db, { checkId, personId, operatorId, now }),
 *     { fields: () => ['payment_pin'] });
 */
export async function pinStep<T>(
  deps: PaymentsDependencies,
  request: { actor: Actor | null; id: string; query: { purpose?: Purpose | undefined } },
  action: Action,
  personId: string,
  step: (operatorId: string) => Promise<T>,
  options: { fields: (result: T) => string[]; countsAsPersonRead?: boolean },
): Promise<T> {
  const grant = await guardStaffCheck(
    deps,
    request,
    action,
    personId,
    options.countsAsPersonRead ?? false,
  );
  const result = await auditedRefusals(
    deps,
    { actor: request.actor, purpose: request.query.purpose ?? null, requestId: request.id },
    { action, resource: { type: 'person', id: personId }, principal: grant.principal },
    () => step(operatorOf(request.actor).operatorId),
  );
  await grant.record(options.fields(result));
  return result;
}
