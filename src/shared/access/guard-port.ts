import type { AuditEntryInput } from '../audit/audit-entry.js';
import type { Actor, Purpose } from './actor.js';
import type { Action } from './policy.js';

/*
 * The person-access guard as a port. Access implements it (access/person-access-guard.ts);
 * modules below access that guard something about a person (audit's access history and entry
 * listing, notifications' message history) declare what they need with these types, and
 * `src/app.ts` passes them access's guard and the registry's region lookup.
 */

/** One access to decide, in the words of the person-access guard. */
export interface GuardedAccess {
  actor: Actor | null;
  action: Action;
  resource: { type: AuditEntryInput['resource']['type']; id: string | null };
  /** The record's region and owner; both null when the record does not exist. */
  regionCode: string | null;
  personId: string | null;
  /** For an action of `merchant` scope: the operators who act for the merchant named. */
  staffOperatorIds?: readonly string[] | undefined;
  /** False when the record was looked up and not found. */
  exists: boolean;
  purpose: Purpose | null;
  requestId: string;
  /** Reads of person records count against the operator's hourly quota. */
  countsAsPersonRead: boolean;
}

/**
 * The one gate in front of person-level data: refuses by throwing, audits the refusal; an
 * allowed access is audited when `record` is awaited.
 */
export type AccessGuard = (
  access: GuardedAccess,
) => Promise<{ record(fields: readonly string[]): Promise<void> }>;

/** The region a person record belongs to (the registry's), or undefined when there is none. */
export type PersonRegionLookup = (
  personId: string,
) => Promise<{ personId: string; regionCode: string } | undefined>;

/**
 * Looks up the person's region and asks the guard about one access to that person's record:
 * what every module below access does before answering something about a person.
 *
 * @example
 *   const grant = await guardPersonRecord({ guard, personRegion }, {
 *     actor, action: 'person.messages', personId, purpose, requestId, countsAsPersonRead: true });
 */
export async function guardPersonRecord(
  ports: { guard: AccessGuard; personRegion: PersonRegionLookup },
  access: Pick<
    GuardedAccess,
    'actor' | 'action' | 'purpose' | 'requestId' | 'countsAsPersonRead'
  > & {
    personId: string;
  },
): Promise<{ record(fields: readonly string[]): Promise<void> }> {
  const person = await ports.personRegion(access.personId);
  return ports.guard({
    ...access,
    resource: { type: 'person', id: access.personId },
    regionCode: person?.regionCode ?? null,
    personId: person?.personId ?? null,
    exists: person !== undefined,
  });
}
