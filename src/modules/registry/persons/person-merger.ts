import type { Transaction } from 'kysely';
import { type IdempotentResult, runIdempotent } from '../../../platform/db/idempotency.js';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import { authorize } from '../../../shared/access/policy.js';
import { closeMembership } from '../households/household-repository.js';
import { registryWriteLimits } from '../search/limits.js';
import { authorizePersonWrite, type VersionAnswer, withId } from './person-corrector.js';
import {
  appendVersion,
  lockForChange,
  type RegistryWriteDependencies,
  recordedBy,
  type WriteContext,
  type WriteGrant,
  writeAuditEntry,
} from './person-writer.js';
import { findPerson, type LockedPerson, lockPerson } from './repository.js';

export interface MergeRequest {
  clientId: string;
  /** The record that survives; the record in the path points to it afterwards. */
  survivorId: string;
}

export type MergeAnswer = VersionAnswer & { mergedInto: string };

/**
 * Merges a duplicate into its survivor: the duplicate gets a last version (reason merge),
 * status merged and merged_into, and leaves its household; nothing is deleted. Refused with
 * 409 and the reason: a merge into itself, a circular merge (the survivor is merged, directly
 * or along a chain, into this record), a survivor that is itself merged elsewhere (merge into
 * the end of its chain instead), and any record that was erased.
 *
 * @example
 *   await personMerger(deps, { actor, purpose: 'enrolment', requestId, personId: duplicateId,
 *     request: { clientId, survivorId } });
 */
export async function personMerger(
  deps: RegistryWriteDependencies,
  props: WriteContext & { personId: string; request: MergeRequest },
): Promise<IdempotentResult<MergeAnswer>> {
  const write = await authorizePersonWrite(deps, props, 'person.merge');
  const { survivorId } = props.request;
  if (survivorId === props.personId) {
    throw conflict('A record cannot be merged into itself', 'is the record being merged');
  }
  await checkSurvivorAccess(deps, write, survivorId);
  const result = await runIdempotent<MergeAnswer>(
    deps.db,
    { scope: 'registry.merge', clientId: props.request.clientId, request: withId(props) },
    (trx) => mergeLocked(trx, deps, write, props),
  );
  // Committed: the merged record is no longer anyone's duplicate candidate (its survivor is).
  if (!result.replayed) deps.duplicates.forgetPerson(props.personId);
  return { status: result.status, body: result.body };
}

/**
 * The merge itself, inside the idempotent transaction. Both rows are locked in id order,
 * so two opposite merges (A into B, B into A) at once cannot deadlock and cannot both apply.
 */
export async function mergeLocked(
  trx: Transaction<Database>,
  deps: RegistryWriteDependencies,
  write: WriteGrant,
  props: { personId: string; requestId: string; request: { survivorId: string } },
): Promise<IdempotentResult<MergeAnswer>> {
  const { personId } = props;
  const { survivorId } = props.request;
  const [first, second] = [personId, survivorId].sort();
  const lockedFirst = await lockPerson(trx, first ?? personId);
  const lockedSecond = await lockPerson(trx, second ?? survivorId);
  const survivor = lockedFirst?.id === survivorId ? lockedFirst : lockedSecond;
  const merged = lockedFirst?.id === personId ? lockedFirst : lockedSecond;
  if (merged === undefined || survivor === undefined) {
    throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such record' });
  }
  if (merged.status === 'erased') {
    throw conflict('An erased record cannot be merged', 'the record is erased', 'params/personId');
  }
  if (merged.status === 'merged') {
    throw conflict(
      `This record is already merged into ${merged.mergedInto}`,
      'the record is already merged',
      'params/personId',
    );
  }
  await checkSurvivorState(trx, survivor, personId);
  const current = await lockForChange(trx, deps.masterKey, personId);
  const version = await appendVersion(trx, deps.masterKey, current.person, {
    plain: current.plain,
    sealed: current.sealed,
    reason: 'merge',
    status: 'merged',
    mergedInto: survivorId,
    recordedBy: recordedBy(write.actor),
  });
  await closeMembership(trx, personId);
  // Subscribers act in this transaction (credentials revokes the merged record's card, which
  // the survivor's supersedes); if one fails, the merge is not recorded either.
  await deps.events.publish(trx, 'personsMerged', { mergedId: personId, survivorId });
  await deps.audit.appendInTransaction(trx, [
    writeAuditEntry(
      write,
      { type: 'person', id: personId },
      ['merged_into', 'status'],
      props.requestId,
    ),
  ]);
  return {
    status: 200,
    body: { personId, status: 'merged', version, mergedInto: survivorId },
  };
}

/** The survivor must be active or deceased, and its chain must not lead back here. */
async function checkSurvivorState(
  trx: Transaction<Database>,
  survivor: LockedPerson,
  personId: string,
): Promise<void> {
  if (survivor.status === 'erased') {
    throw conflict('A record cannot be merged into an erased record', 'the survivor is erased');
  }
  if (survivor.status !== 'merged') return;
  let next = survivor.mergedInto;
  for (let step = 0; next !== null && step < registryWriteLimits.mergeChainLengthMax; step += 1) {
    if (next === personId) {
      throw conflict(
        'Circular merge: the survivor is already merged into this record',
        'is merged into the record being merged',
      );
    }
    const link = await lockPerson(trx, next);
    if (link === undefined || link.status !== 'merged') break;
    next = link.mergedInto;
  }
  throw conflict(
    `The survivor is itself merged into ${next}: merge into that record instead`,
    'is itself merged',
  );
}

/** The operator must cover the survivor's region too; otherwise it looks like no record. */
export async function checkSurvivorAccess(
  deps: RegistryWriteDependencies,
  write: WriteGrant,
  survivorId: string,
): Promise<void> {
  const survivor = await findPerson(deps.db, { personId: survivorId });
  const allowed =
    survivor !== undefined &&
    authorize(
      write.actor,
      'person.merge',
      { regionCode: survivor.regionCode, personId: survivorId },
      write.grant.purpose,
    ).allowed;
  if (!allowed) {
    throw new AmparoError('AMP_NOT_FOUND', {
      detail: 'No such survivor record',
      errors: [{ field: 'body/survivorId', reason: 'no such record' }],
    });
  }
}

function conflict(detail: string, reason: string, field = 'body/survivorId'): AmparoError {
  return new AmparoError('AMP_CONFLICT', { detail, errors: [{ field, reason }] });
}
