import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { newDataKey, seal, wrapDataKey } from '../../../platform/crypto/envelope.js';
import { type IdempotentResult, runIdempotent } from '../../../platform/db/idempotency.js';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import { authorize } from '../../../shared/access/policy.js';
import { type AttributeValues, parsePersonAttributes } from '../catalogue/index.js';
import {
  checkHouseholdTarget,
  type HouseholdTarget,
  joinHousehold,
} from '../households/household-membership.js';
import type { DuplicateCandidate, DuplicateInput } from '../review/duplicate-checker.js';
import { insertReview } from '../review/review-repository.js';
import { nameSearchKeys } from '../search/search-keys.js';
import type { StoredCandidate } from '../tables.js';
import { generateUin } from '../uin/index.js';
import {
  authorizeWrite,
  phoneDigest,
  type RegistryWriteDependencies,
  recordedBy,
  sealVersion,
  type WriteContext,
  type WriteGrant,
  writeAuditEntry,
} from './person-writer.js';
import {
  insertPerson,
  insertPersonKey,
  insertVersion,
  personStatuses,
  setPhoneDigest,
  setSearchKeys,
} from './repository.js';

export interface EnrolRequest {
  clientId: string;
  attributes: Record<string, unknown>;
  household?: HouseholdTarget;
  /** The identity document held, if any; many people have none. */
  documents?: Array<{ type: string; number?: string; country?: string }>;
}

/** A candidate as answered (and stored for retries): identifiers and scores only. */
export type EnrolCandidate = StoredCandidate & { uin: string };

/** A candidate with the region that decides whether this operator may see it. */
type LiveCandidate = EnrolCandidate & { regionCode: string };

export type EnrolAnswer =
  | {
      status: 'enrolled';
      personId: string;
      uin: string;
      version: number;
      householdId: string | null;
      reviewId: string | null;
    }
  | { status: 'held'; reviewId: string; candidates: EnrolCandidate[]; otherCandidates: number };

/**
 * Enrols a person (Amparo issue 4): checks the attributes against the catalogue, authorises
 * the operator for the person's region, looks for duplicates, and in ONE transaction with its
 * audit entry creates the person, version 1, the wrapped data key, the phone blind index,
 * the search keys and the household membership. Retries with the same clientId get the
 * first answer. A probable duplicate is enrolled and queued for review; an almost certain
 * one is held (202) until a supervisor decides.
 *
 * @example
 *   const { status, body } = await personEnroller(deps, { actor, purpose: 'enrolment', requestId, request });
 */
export async function personEnroller(
  deps: RegistryWriteDependencies,
  props: WriteContext & { request: EnrolRequest },
): Promise<IdempotentResult<EnrolAnswer>> {
  const { request } = props;
  const { plain, sealed } = parsePersonAttributes({
    ...request.attributes,
    ...documentAttributes(request.documents),
  });
  // Safe: state_code is required by the catalogue and validated as a state code.
  const regionCode = plain.state_code as string;
  const write = await authorizeEnrolment(deps, props, regionCode);
  if (request.household !== undefined) {
    await checkHouseholdTarget(
      deps,
      write.actor,
      'person.enrol',
      request.household,
      'body/household',
    );
  }
  const digest = phoneDigest(deps.masterKey, sealed.phone);
  const input: DuplicateInput = { attributes: plain, phoneDigest: digest?.toString('hex') ?? null };
  const candidates = await liveCandidates(deps, await deps.duplicates.findCandidates(input));
  const result = await runIdempotent<EnrolAnswer>(
    deps.db,
    { scope: 'registry.enrol', clientId: request.clientId, request },
    async (trx) => {
      if (candidates.some((candidate) => candidate.decision === 'auto')) {
        return hold(trx, deps, { write, props, plain, sealed, regionCode, candidates });
      }
      const enrolled = await createPerson(trx, deps, {
        write,
        requestId: props.requestId,
        personId: randomUUID(),
        dataKey: newDataKey(),
        plain,
        sealed,
        household: request.household ?? null,
      });
      const reviewId = candidates.length > 0 ? randomUUID() : null;
      if (reviewId !== null) {
        await insertReview(trx, {
          id: reviewId,
          kind: 'review',
          regionCode,
          personId: enrolled.personId,
          held: null,
          heldHousehold: null,
          candidates: candidates.map(storedCandidate),
          openedBy: recordedBy(write.actor),
        });
      }
      return { status: 201, body: { status: 'enrolled', ...enrolled, version: 1, reviewId } };
    },
  );
  if (!result.replayed && result.body.status === 'enrolled') {
    deps.duplicates.recordEnrolment(result.body.personId, input);
  }
  return { status: result.status, body: result.body };
}

/** The person.enrol guard; a region the clerk does not cover is named as the reason. */
async function authorizeEnrolment(
  deps: RegistryWriteDependencies,
  context: WriteContext,
  regionCode: string,
): Promise<WriteGrant> {
  try {
    return await authorizeWrite(deps, context, {
      action: 'person.enrol',
      resource: { type: 'person', id: null },
      regionCode,
      personId: null,
      exists: true,
    });
  } catch (error) {
    // For a new record there is nothing whose existence could leak: say what is wrong.
    if (error instanceof AmparoError && error.code === 'AMP_NOT_FOUND') {
      throw new AmparoError('AMP_FORBIDDEN', {
        detail: 'You may not enrol people in this region',
        errors: [{ field: 'body/attributes/state_code', reason: 'is outside your regions' }],
      });
    }
    throw error;
  }
}

/** The document, as the catalogue's document_* attributes. */
function documentAttributes(documents: EnrolRequest['documents']): Record<string, unknown> {
  const document = documents?.[0];
  if (document === undefined) return {};
  return {
    document_type: document.type,
    ...(document.number !== undefined ? { document_number: document.number } : {}),
    ...(document.country !== undefined ? { document_country: document.country } : {}),
  };
}

/** Candidates still standing (not merged or erased), with their UIN. */
async function liveCandidates(
  deps: RegistryWriteDependencies,
  found: readonly DuplicateCandidate[],
): Promise<LiveCandidate[]> {
  const statuses = await personStatuses(
    deps.db,
    found.map((candidate) => candidate.personId),
  );
  return found.flatMap((candidate) => {
    const person = statuses.get(candidate.personId);
    if (person === undefined || person.status === 'merged' || person.status === 'erased') return [];
    return [
      {
        personId: candidate.personId,
        uin: person.uin,
        score: Math.round(candidate.score * 100) / 100,
        decision: candidate.decision,
        fieldLevels: candidate.fieldLevels,
        regionCode: person.regionCode,
      },
    ];
  });
}

export interface CreatePersonProps {
  write: WriteGrant;
  requestId: string;
  personId: string;
  dataKey: Buffer;
  plain: AttributeValues;
  sealed: AttributeValues;
  household: HouseholdTarget | null;
}

/**
 * Writes a new person's rows and the audit entry inside `trx`. Also used when a supervisor
 * keeps a held enrolment as a new person (with the held id and data key).
 */
export async function createPerson(
  trx: Transaction<Database>,
  deps: Pick<RegistryWriteDependencies, 'masterKey' | 'audit' | 'events'>,
  props: CreatePersonProps,
): Promise<{ personId: string; uin: string; householdId: string | null }> {
  const { personId, dataKey, plain, sealed } = props;
  // Safe: state_code is required by the catalogue, validated before this point.
  const regionCode = plain.state_code as string;
  const uin = await insertPerson(trx, { personId, regionCode, nextUin: () => generateUin() });
  await insertPersonKey(trx, personId, wrapDataKey(deps.masterKey, dataKey, personId));
  await insertVersion(trx, {
    personId,
    version: 1,
    attributes: plain,
    sealed: Object.keys(sealed).length > 0 ? sealVersion(dataKey, personId, 1, sealed) : null,
    reason: 'enrolment',
    recordedBy: recordedBy(props.write.actor),
  });
  const digest = phoneDigest(deps.masterKey, sealed.phone);
  if (digest !== null) await setPhoneDigest(trx, personId, digest);
  await setSearchKeys(trx, personId, regionCode, nameSearchKeys(plain));
  const householdId =
    props.household === null
      ? null
      : await joinHousehold(trx, {
          personId,
          regionCode,
          target: props.household,
          recordedBy: recordedBy(props.write.actor),
          fieldPrefix: 'body/household',
        });
  const fields = [...Object.keys(plain), ...Object.keys(sealed)];
  await deps.audit.appendInTransaction(trx, [
    writeAuditEntry(props.write, { type: 'person', id: personId }, fields, props.requestId),
  ]);
  // Subscribers (the enrolment text, app.ts) act in this transaction: both commit or neither.
  await deps.events.publish(trx, 'personEnrolled', { personId });
  return { personId, uin, householdId };
}

/**
 * Holds an almost certain duplicate: nothing is created; the attributes are sealed under a
 * fresh data key bound to a reserved person id. If the supervisor keeps the enrolment as new,
 * that key becomes the person's own key; if it is the same person, the key is destroyed and
 * the held copy can never be read again (crypto-shredding, as for an erasure), which sealing
 * under the master key could not offer.
 */
async function hold(
  trx: Transaction<Database>,
  deps: RegistryWriteDependencies,
  held: {
    write: WriteGrant;
    props: WriteContext & { request: EnrolRequest };
    plain: AttributeValues;
    sealed: AttributeValues;
    regionCode: string;
    candidates: LiveCandidate[];
  },
): Promise<IdempotentResult<EnrolAnswer>> {
  const reviewId = randomUUID();
  const heldPersonId = randomUUID();
  const dataKey = newDataKey();
  const household = held.props.request.household;
  await insertReview(trx, {
    id: reviewId,
    kind: 'held',
    regionCode: held.regionCode,
    personId: null,
    held: {
      personId: heldPersonId,
      wrappedKey: wrapDataKey(deps.masterKey, dataKey, heldPersonId),
      attributes: sealHeld(dataKey, reviewId, { plain: held.plain, sealed: held.sealed }),
    },
    heldHousehold: household
      ? {
          householdId: 'householdId' in household ? household.householdId : null,
          relationship: household.relationship,
        }
      : null,
    candidates: held.candidates.map(storedCandidate),
    openedBy: recordedBy(held.write.actor),
  });
  const fields = [...Object.keys(held.plain), ...Object.keys(held.sealed)];
  await deps.audit.appendInTransaction(trx, [
    writeAuditEntry(held.write, { type: 'person', id: heldPersonId }, fields, held.props.requestId),
  ]);
  // Candidates outside the operator's regions are counted, never shown.
  const inRegion = held.candidates.filter(
    (candidate) =>
      authorize(
        held.write.actor,
        'person.read',
        { regionCode: candidate.regionCode, personId: candidate.personId },
        'enrolment',
      ).allowed,
  );
  return {
    status: 202,
    body: {
      status: 'held',
      reviewId,
      candidates: inRegion.map(({ regionCode: _region, ...candidate }) => candidate),
      otherCandidates: held.candidates.length - inRegion.length,
    },
  };
}

function storedCandidate(candidate: LiveCandidate): StoredCandidate {
  return {
    personId: candidate.personId,
    score: candidate.score,
    decision: candidate.decision,
    fieldLevels: candidate.fieldLevels,
  };
}

export function sealHeld(
  dataKey: Buffer,
  reviewId: string,
  attributes: { plain: AttributeValues; sealed: AttributeValues },
): Buffer {
  return seal(dataKey, Buffer.from(JSON.stringify(attributes)), {
    table: 'duplicate_review',
    column: 'held_attributes',
    recordId: reviewId,
  });
}
