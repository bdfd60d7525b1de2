import type { Actor, Purpose } from '../../../shared/access/actor.js';
import { type AuditRecorder, consumePersonReads, guardPersonAccess } from '../../access/index.js';
import { discloseAttributes } from '../catalogue/index.js';
import { type RegistryWriteDependencies, writeAuditEntry } from '../persons/person-writer.js';
import { personSummaries } from '../search/search-repository.js';
import { currentMembers, findHousehold } from './household-repository.js';

export interface HouseholdView {
  id: string;
  regionCode: string;
  members: Array<{
    personId: string;
    uin: string;
    status: 'active' | 'deceased' | 'merged' | 'erased';
    relationship: string;
    attributes: Record<string, unknown>;
  }>;
}

/**
 * Reads a household for a stated purpose: its current members with their relationship and
 * only the plain catalogue attributes the purpose allows. Each member counts as a person
 * read and gets an audit entry, like a read of that person.
 *
 * @example
 *   await householdReader(deps, { actor, purpose: 'enrolment', requestId, householdId });
 */
export async function householdReader(
  deps: Pick<RegistryWriteDependencies, 'db'> & { audit: AuditRecorder },
  props: { actor: Actor | null; purpose: Purpose | null; requestId: string; householdId: string },
): Promise<HouseholdView> {
  const household = await findHousehold(deps.db, props.householdId);
  const grant = await guardPersonAccess(deps, {
    actor: props.actor,
    action: 'person.read',
    resource: { type: 'household', id: props.householdId },
    regionCode: household?.regionCode ?? null,
    personId: null,
    exists: household !== undefined,
    purpose: props.purpose,
    requestId: props.requestId,
    countsAsPersonRead: false,
  });
  // Safe: the guard refuses (throws) when the household does not exist.
  const found = household as NonNullable<typeof household>;
  // Safe: the guard refuses a null actor.
  const actor = props.actor as Actor;
  const memberships = await currentMembers(deps.db, found.id);
  const summaries = await personSummaries(
    deps.db,
    memberships.map((member) => member.personId),
  );
  if (actor.kind === 'operator' && summaries.length > 0) {
    await consumePersonReads(deps.db, actor, summaries.length);
  }
  const relationshipOf = new Map(memberships.map((m) => [m.personId, m.relationship]));
  const members = summaries.map((person) => ({
    personId: person.id,
    uin: person.uin,
    status: person.status,
    relationship: relationshipOf.get(person.id) ?? 'other_relative',
    attributes:
      person.status === 'erased'
        ? {}
        : discloseAttributes(person.attributes, grant.purpose ?? 'self'),
  }));
  const read = { grant, actor, action: 'person.read' as const, regionCode: found.regionCode };
  await Promise.all(
    members.map((member) =>
      deps.audit.append(
        writeAuditEntry(
          read,
          { type: 'person', id: member.personId },
          Object.keys(member.attributes),
          props.requestId,
        ),
      ),
    ),
  );
  await grant.record(['members']);
  return { id: found.id, regionCode: found.regionCode, members };
}
