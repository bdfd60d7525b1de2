import { createHash, randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import type { Actor } from '../../../shared/access/actor.js';
import { type Action, authorize } from '../../../shared/access/policy.js';
import type { Relationship } from '../../../shared/households/relationships.js';
import type { RegistryWriteDependencies } from '../persons/person-writer.js';
import { registryWriteLimits } from '../search/limits.js';
import { HouseholdFullError } from './household-full-error.js';
import {
  currentMembers,
  findHousehold,
  insertHousehold,
  openMembership,
} from './household-repository.js';

export { type Relationship, relationships } from '../../../shared/households/relationships.js';

/** Where a person goes: an existing household or a new one in the person's region. */
export type HouseholdTarget =
  | { householdId: string; relationship: Relationship }
  | { new: true; relationship: Relationship };

/**
 * Checks that an existing target household exists and lies in the operator's regions for
 * this action; a household outside them is answered like one that does not exist.
 *
 * @example
 *   await checkHouseholdTarget(deps, actor, 'person.enrol', body.household, 'body/household');
 */
export async function checkHouseholdTarget(
  deps: Pick<RegistryWriteDependencies, 'db'>,
  actor: Actor,
  action: Action,
  target: HouseholdTarget,
  fieldPrefix: string,
): Promise<void> {
  if (!('householdId' in target)) return;
  const household = await findHousehold(deps.db, target.householdId);
  const allowed =
    household !== undefined &&
    authorize(actor, action, { regionCode: household.regionCode, personId: null }, 'enrolment')
      .allowed;
  if (!allowed) {
    throw new AmparoError('AMP_NOT_FOUND', {
      detail: 'No such household',
      errors: [{ field: `${fieldPrefix}/householdId`, reason: 'no such household' }],
    });
  }
}

/**
 * Opens a membership in the target household (creating it when new), refusing a person
 * already in that household, a second head, and a member beyond `householdMembersMax`
 * (`HouseholdFullError`). Joins of one household queue on a transaction lock, so two at once
 * cannot both take its last place. Call after closing any current membership. Returns the
 * household id.
 */
export async function joinHousehold(
  trx: Transaction<Database>,
  props: {
    personId: string;
    regionCode: string;
    target: HouseholdTarget;
    recordedBy: string | null;
    fieldPrefix: string;
  },
): Promise<string> {
  const { target, fieldPrefix } = props;
  let householdId: string;
  if ('householdId' in target) {
    householdId = target.householdId;
    await lockHouseholdJoins(trx, householdId);
    const members = await currentMembers(trx, householdId);
    if (members.some((member) => member.personId === props.personId)) {
      throw new AmparoError('AMP_CONFLICT', {
        detail: 'The person is already a member of this household',
        errors: [{ field: `${fieldPrefix}/householdId`, reason: 'already a member' }],
      });
    }
    if (target.relationship === 'head' && members.some((m) => m.relationship === 'head')) {
      throw new AmparoError('AMP_CONFLICT', {
        detail: 'The household already has a head',
        errors: [{ field: `${fieldPrefix}/relationship`, reason: 'the household has a head' }],
      });
    }
    if (members.length >= registryWriteLimits.householdMembersMax) {
      throw new HouseholdFullError(fieldPrefix);
    }
  } else {
    householdId = randomUUID();
    await insertHousehold(trx, householdId, props.regionCode);
  }
  await openMembership(trx, {
    householdId,
    personId: props.personId,
    relationship: target.relationship,
    recordedBy: props.recordedBy,
  });
  return householdId;
}

/**
 * Holds joins of one household until the transaction ends: a transaction-scoped advisory lock
 * on a number drawn from the household id (a collision only makes two households queue). The
 * application role has no UPDATE on `household`, so it cannot lock the row itself.
 */
async function lockHouseholdJoins(trx: Transaction<Database>, householdId: string): Promise<void> {
  const digest = createHash('sha256').update(`household-join|${householdId}`).digest();
  const lockNumber = digest.readBigInt64BE(0).toString();
  await sql`select pg_advisory_xact_lock(${lockNumber}::bigint)`.execute(trx);
}
