import { unwrapDataKey } from '../../../platform/crypto/envelope.js';
import type { Actor } from '../../../shared/access/actor.js';
import { authorize } from '../../../shared/access/policy.js';
import { consumePersonReads } from '../../access/index.js';
import { discloseAttributes } from '../catalogue/index.js';
import type { EnrolAnswer, EnrolCandidate } from '../persons/person-enroller.js';
import {
  openVersion,
  type RegistryWriteDependencies,
  writeAuditEntry,
} from '../persons/person-writer.js';
import { findPerson, readPersonVersion } from '../persons/repository.js';

/** A held enrolment's candidate as shown to the clerk. */
export type ShownCandidate = EnrolCandidate & { attributes: Record<string, unknown> };

type HeldAnswer = Extract<EnrolAnswer, { status: 'held' }>;

/**
 * Adds to a held enrolment's answer each candidate's attributes, only those the enrolment
 * purpose may read, and only for candidates the operator may read. The answer kept for
 * retries holds identifiers only, so this runs on the first answer and on every replay; each
 * candidate shown counts as a person read and is audited (person.read, purpose enrolment).
 *
 * @example
 *   const shown = await presentCandidates(deps, { actor, requestId }, answer);
 */
export async function presentCandidates(
  deps: Pick<RegistryWriteDependencies, 'db' | 'audit' | 'masterKey'>,
  props: { actor: Actor | null; requestId: string },
  answer: HeldAnswer,
): Promise<Omit<HeldAnswer, 'candidates'> & { candidates: ShownCandidate[] }> {
  const actor = props.actor;
  if (actor === null || answer.candidates.length === 0) return { ...answer, candidates: [] };
  if (actor.kind === 'operator') {
    await consumePersonReads(deps.db, actor, answer.candidates.length);
  }
  const candidates: ShownCandidate[] = [];
  for (const candidate of answer.candidates) {
    const person = await findPerson(deps.db, { personId: candidate.personId });
    if (person === undefined) continue;
    const decision = authorize(
      actor,
      'person.read',
      { regionCode: person.regionCode, personId: person.id },
      'enrolment',
    );
    if (!decision.allowed) continue;
    const version = await readPersonVersion(deps.db, person.id, person.currentVersion);
    const sealed =
      version.wrappedKey === null
        ? {}
        : openVersion(
            unwrapDataKey(deps.masterKey, version.wrappedKey, person.id),
            person.id,
            person.currentVersion,
            version.sealedAttributes,
          );
    const attributes = discloseAttributes({ ...version.attributes, ...sealed }, 'enrolment');
    candidates.push({ ...candidate, attributes });
    const read = {
      grant: { principal: decision.principal, purpose: 'enrolment' as const, record: noRecord },
      actor,
      action: 'person.read' as const,
      regionCode: person.regionCode,
    };
    await deps.audit.append(
      writeAuditEntry(
        read,
        { type: 'person', id: person.id },
        Object.keys(attributes),
        props.requestId,
      ),
    );
  }
  return { ...answer, candidates };
}

/** The entry is appended directly above; the grant's own recorder is not used. */
async function noRecord(): Promise<void> {}
