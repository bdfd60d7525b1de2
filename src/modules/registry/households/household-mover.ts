import { type IdempotentResult, runIdempotent } from '../../../platform/db/idempotency.js';
import { AmparoError } from '../../../platform/errors.js';
import { authorizePersonWrite, withId } from '../persons/person-corrector.js';
import {
  type RegistryWriteDependencies,
  recordedBy,
  type WriteContext,
  writeAuditEntry,
} from '../persons/person-writer.js';
import { lockPerson } from '../persons/repository.js';
import {
  checkHouseholdTarget,
  type HouseholdTarget,
  joinHousehold,
  type Relationship,
} from './household-membership.js';
import { closeMembership, currentHousehold } from './household-repository.js';

export type MoveRequest = { clientId: string } & HouseholdTarget;

export interface MoveAnswer {
  personId: string;
  householdId: string;
  relationship: Relationship;
}

/**
 * Moves a person to another (or a new) household: the current membership is closed (its
 * valid_to set) and a new one opened; nothing is deleted. Refused with 409: a move into the
 * household the person is already in, a second head, a person who is not active.
 *
 * @example
 *   await householdMover(deps, { actor, purpose: 'enrolment', requestId, personId,
 *     request: { clientId, new: true, relationship: 'head' } });
 */
export async function householdMover(
  deps: RegistryWriteDependencies,
  props: WriteContext & { personId: string; request: MoveRequest },
): Promise<IdempotentResult<MoveAnswer>> {
  const write = await authorizePersonWrite(deps, props, 'person.move');
  const { clientId: _clientId, ...target } = props.request;
  await checkHouseholdTarget(deps, write.actor, 'person.move', target, 'body');
  const result = await runIdempotent<MoveAnswer>(
    deps.db,
    { scope: 'registry.move', clientId: props.request.clientId, request: withId(props) },
    async (trx) => {
      const person = await lockPerson(trx, props.personId);
      if (person === undefined)
        throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such record' });
      if (person.status !== 'active') {
        throw new AmparoError('AMP_CONFLICT', {
          detail: `Only an active person can move; this record is ${person.status}`,
          errors: [{ field: 'params/personId', reason: `the record is ${person.status}` }],
        });
      }
      const current = await currentHousehold(trx, props.personId);
      if ('householdId' in target && current?.householdId === target.householdId) {
        throw new AmparoError('AMP_CONFLICT', {
          detail: 'The person is already a member of this household',
          errors: [{ field: 'body/householdId', reason: 'already a member' }],
        });
      }
      await closeMembership(trx, props.personId);
      const householdId = await joinHousehold(trx, {
        personId: props.personId,
        regionCode: person.regionCode,
        target,
        recordedBy: recordedBy(write.actor),
        fieldPrefix: 'body',
      });
      await deps.audit.appendInTransaction(trx, [
        writeAuditEntry(
          write,
          { type: 'person', id: props.personId },
          ['household'],
          props.requestId,
        ),
      ]);
      return {
        status: 200,
        body: { personId: props.personId, householdId, relationship: target.relationship },
      };
    },
  );
  return { status: result.status, body: result.body };
}
