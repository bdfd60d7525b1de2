import type { Transaction } from 'kysely';
import { limits } from '../../../limits.js';
import { open, unwrapDataKey } from '../../../platform/crypto/envelope.js';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import type { Actor, Purpose } from '../../../shared/access/actor.js';
import { authorize } from '../../../shared/access/policy.js';
import { consumePersonReads, guardRegionalAccess } from '../../access/index.js';
import { type AttributeValues, discloseAttributes } from '../catalogue/index.js';
import type { Relationship } from '../households/household-membership.js';
import { createPerson } from '../persons/person-enroller.js';
import { checkSurvivorAccess, mergeLocked } from '../persons/person-merger.js';
import {
  authorizeWrite,
  phoneDigest,
  type RegistryWriteDependencies,
  recordedBy,
  type WriteGrant,
  writeAuditEntry,
} from '../persons/person-writer.js';
import { registryWriteLimits } from '../search/limits.js';
import type { StoredCandidate } from '../tables.js';
import { reviewReference } from './review-reference.js';
import {
  decideReview,
  findReview,
  listOpenReviews,
  lockReview,
  type ReviewRow,
} from './review-repository.js';

export interface ReviewItem {
  id: string;
  kind: 'review' | 'held';
  /** `reviewReference(id)`: what the person was given to ask about a held enrolment. */
  reference: string;
  regionCode: string;
  /** The enrolled person (review); null while an enrolment is held. */
  personId: string | null;
  openedAt: string;
  candidates: StoredCandidate[];
  /** A held enrolment's attributes, as the enrolment purpose may read them. */
  heldAttributes: Record<string, unknown> | null;
}

/**
 * Open duplicate reviews in the supervisor's regions, oldest first. Deciding is a merge
 * decision, so listing is authorised as `person.merge` (registry_supervisor, enrolment). A
 * held enrolment's attributes are shown, and count and are audited as a person read.
 *
 * @example
 *   const page = await reviewLister(deps, { actor, purpose: 'enrolment', requestId });
 */
export async function reviewLister(
  deps: RegistryWriteDependencies,
  props: { actor: Actor | null; purpose: Purpose | null; requestId: string; cursor?: string },
): Promise<{ items: ReviewItem[]; nextCursor: string | null }> {
  const {
    grant,
    operator: actor,
    regions: regionCodes,
  } = await guardRegionalAccess(deps, {
    actor: props.actor,
    action: 'person.merge',
    resource: { type: 'person', id: null },
    purpose: props.purpose,
    requestId: props.requestId,
  });
  const pageSize = Math.min(limits.pagination.pageSizeMax, registryWriteLimits.reviewPageSizeMax);
  const rows = await listOpenReviews(deps.db, {
    regionCodes,
    after: decodeReviewCursor(props.cursor),
    limit: pageSize + 1,
  });
  const page = rows.slice(0, pageSize);
  const held = page.filter((row) => row.kind === 'held');
  if (held.length > 0) await consumePersonReads(deps.db, actor, held.length);
  const items = page.map((row) => toItem(deps.masterKey, row));
  const write: WriteGrant = { grant, actor, action: 'person.read', regionCode: null };
  await Promise.all(
    items
      .filter((item) => item.heldAttributes !== null)
      .map((item, index) =>
        deps.audit.append(
          writeAuditEntry(
            { ...write, regionCode: item.regionCode },
            { type: 'person', id: held[index]?.heldPersonId ?? null },
            Object.keys(item.heldAttributes ?? {}),
            props.requestId,
          ),
        ),
      ),
  );
  // The listing itself (candidate ids and scores) is an access too, with or without items.
  await grant.record([]);
  const last = page.at(-1);
  const nextCursor =
    rows.length > pageSize && last !== undefined
      ? Buffer.from(JSON.stringify({ at: last.openedAt.toISOString(), id: last.id })).toString(
          'base64url',
        )
      : null;
  return { items, nextCursor };
}

function toItem(masterKey: Buffer, row: ReviewRow): ReviewItem {
  const held = row.kind === 'held' ? openHeld(masterKey, row) : null;
  return {
    id: row.id,
    kind: row.kind,
    reference: reviewReference(row.id),
    regionCode: row.regionCode,
    personId: row.personId,
    openedAt: row.openedAt.toISOString(),
    candidates: row.candidates,
    heldAttributes:
      held === null ? null : discloseAttributes({ ...held.plain, ...held.sealed }, 'enrolment'),
  };
}

/** A held enrolment's attributes and data key; null once its key was destroyed. */
function openHeld(
  masterKey: Buffer,
  row: ReviewRow,
): { plain: AttributeValues; sealed: AttributeValues; dataKey: Buffer } | null {
  if (row.heldWrappedKey === null || row.heldAttributes === null || row.heldPersonId === null) {
    return null;
  }
  const dataKey = unwrapDataKey(masterKey, row.heldWrappedKey, row.heldPersonId);
  const text = open(dataKey, row.heldAttributes, {
    table: 'duplicate_review',
    column: 'held_attributes',
    recordId: row.id,
  }).toString('utf8');
  // Safe: held attributes are written by `sealHeld` as { plain, sealed } objects.
  const parsed = JSON.parse(text) as { plain: AttributeValues; sealed: AttributeValues };
  return { ...parsed, dataKey };
}

function decodeReviewCursor(text: string | undefined): { openedAt: Date; id: string } | null {
  if (text === undefined) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && 'at' in value && 'id' in value) {
      const { at, id } = value;
      const openedAt = new Date(String(at));
      if (typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id) && !Number.isNaN(openedAt.getTime()))
        return { openedAt, id };
    }
  } catch {
    // Falls through to the refusal below.
  }
  throw new AmparoError('AMP_VALIDATION', {
    detail: 'The cursor is not valid',
    errors: [{ field: 'querystring/cursor', reason: 'is not a cursor from a previous page' }],
  });
}

export interface ReviewDecisionRequest {
  decision: 'new' | 'merge';
  survivorId?: string;
}

export interface ReviewDecisionAnswer {
  reviewId: string;
  decision: 'new' | 'merge';
  /** The person kept or created as new; for a merge, the record merged (null if held). */
  personId: string | null;
  survivorId: string | null;
}

/**
 * A supervisor's decision on a review item. `new`: the enrolled person stays (review), or the
 * held enrolment becomes a person with the id and data key reserved for it (held). `merge`:
 * the enrolled person is merged into the survivor (review), or the held enrolment is
 * discarded by destroying its data key (held). The survivor must be one of the candidates.
 *
 * @example
 *   await reviewDecider(deps, { actor, purpose: 'enrolment', requestId, reviewId,
 *     request: { decision: 'merge', survivorId } });
 */
export async function reviewDecider(
  deps: RegistryWriteDependencies,
  props: {
    actor: Actor | null;
    purpose: Purpose | null;
    requestId: string;
    reviewId: string;
    request: ReviewDecisionRequest;
  },
): Promise<ReviewDecisionAnswer> {
  const review = await findReview(deps.db, props.reviewId);
  const write = await authorizeWrite(deps, props, {
    action: 'person.merge',
    resource: { type: 'person', id: review?.personId ?? review?.heldPersonId ?? null },
    regionCode: review?.regionCode ?? null,
    personId: null,
    exists: review !== undefined,
  });
  const survivorId = checkSurvivor(review, props.request);
  if (survivorId !== null) await checkSurvivorAccess(deps, write, survivorId);
  let created: { personId: string; plain: AttributeValues; phone: unknown } | null = null;
  const answer = await deps.db.transaction().execute(async (trx) => {
    const locked = await lockReview(trx, props.reviewId);
    if (locked === undefined || locked.status !== 'open') {
      throw new AmparoError('AMP_CONFLICT', {
        detail: 'This review was already decided',
        errors: [{ field: 'params/reviewId', reason: 'already decided' }],
      });
    }
    const decided = await applyDecision(trx, deps, write, locked, survivorId, props.requestId);
    created = decided.created;
    return decided.answer;
  });
  const made = created as { personId: string; plain: AttributeValues; phone: unknown } | null;
  if (made !== null) {
    deps.duplicates.recordEnrolment(made.personId, {
      attributes: made.plain,
      phoneDigest: phoneDigest(deps.masterKey, made.phone)?.toString('hex') ?? null,
    });
  }
  // Committed: a record merged by the decision is no longer anyone's duplicate candidate.
  if (answer.decision === 'merge' && answer.personId !== null)
    deps.duplicates.forgetPerson(answer.personId);
  return answer;
}

function checkSurvivor(
  review: ReviewRow | undefined,
  request: ReviewDecisionRequest,
): string | null {
  if (request.decision === 'new') return null;
  const survivorId = request.survivorId;
  const listed = review?.candidates.some((candidate) => candidate.personId === survivorId);
  if (survivorId === undefined || !listed) {
    throw new AmparoError('AMP_VALIDATION', {
      detail: 'A merge needs a survivorId among the review candidates',
      errors: [{ field: 'body/survivorId', reason: 'must be one of the candidates' }],
    });
  }
  return survivorId;
}

async function applyDecision(
  trx: Transaction<Database>,
  deps: RegistryWriteDependencies,
  write: WriteGrant,
  review: ReviewRow,
  survivorId: string | null,
  requestId: string,
): Promise<{
  answer: ReviewDecisionAnswer;
  created: { personId: string; plain: AttributeValues; phone: unknown } | null;
}> {
  const decision = survivorId === null ? 'new' : 'merge';
  const base = { reviewId: review.id, decision, survivorId } as const;
  const decidedBy = recordedBy(write.actor);
  if (review.kind === 'review') {
    // Safe: a review item always names its enrolled person (check constraint).
    const personId = review.personId as string;
    if (survivorId !== null) {
      await mergeLocked(trx, deps, write, { personId, requestId, request: { survivorId } });
    } else {
      await deps.audit.appendInTransaction(trx, [
        writeAuditEntry(write, { type: 'person', id: personId }, [], requestId),
      ]);
    }
    await decideReview(trx, review.id, {
      decision,
      survivorId,
      personId,
      decidedBy,
      shredHeldKey: false,
    });
    return { answer: { ...base, personId }, created: null };
  }
  if (survivorId !== null) {
    await decideReview(trx, review.id, {
      decision,
      survivorId,
      personId: null,
      decidedBy,
      shredHeldKey: true,
    });
    await deps.audit.appendInTransaction(trx, [
      writeAuditEntry(write, { type: 'person', id: review.heldPersonId }, [], requestId),
    ]);
    return { answer: { ...base, personId: null }, created: null };
  }
  return keepHeldAsNew(trx, deps, write, review, requestId);
}

async function keepHeldAsNew(
  trx: Transaction<Database>,
  deps: RegistryWriteDependencies,
  write: WriteGrant,
  review: ReviewRow,
  requestId: string,
) {
  const held = openHeld(deps.masterKey, review);
  if (held === null || review.heldPersonId === null) {
    throw new AmparoError('AMP_CONFLICT', { detail: 'The held enrolment can no longer be opened' });
  }
  const household = review.heldHousehold;
  const enrol: WriteGrant = { ...write, action: 'person.enrol' };
  if (
    !authorize(
      write.actor,
      'person.enrol',
      { regionCode: review.regionCode, personId: null },
      write.grant.purpose,
    ).allowed
  ) {
    throw new AmparoError('AMP_FORBIDDEN', { detail: 'You may not enrol people in this region' });
  }
  // Safe: relationships are validated by the enrolment schema before they are held.
  const relationship = household?.relationship as Relationship;
  const created = await createPerson(trx, deps, {
    write: enrol,
    requestId,
    personId: review.heldPersonId,
    dataKey: held.dataKey,
    plain: held.plain,
    sealed: held.sealed,
    household:
      household === null
        ? null
        : household.householdId === null
          ? { new: true, relationship }
          : { householdId: household.householdId, relationship },
  });
  await decideReview(trx, review.id, {
    decision: 'new',
    survivorId: null,
    personId: created.personId,
    decidedBy: recordedBy(write.actor),
    shredHeldKey: true,
  });
  return {
    answer: {
      reviewId: review.id,
      decision: 'new' as const,
      personId: created.personId,
      survivorId: null,
    },
    created: { personId: created.personId, plain: held.plain, phone: held.sealed.phone },
  };
}
