import type { Actor } from '../access/actor.js';
import type { AuditEntryInput } from './audit-entry.js';

/**
 * Who an audit entry says acted: the one mapping from a request's actor to the entry's actor,
 * used by the access guard, the registry's writes, card issuance, account administration,
 * erasure and sign-in auditing alike. `role` is the role the action ran under (null when none
 * applied yet, e.g. a refused sign-in); `region` is recorded for operators only, since a citizen
 * or a system job acts for no office. A request without an actor is recorded as the system
 * actor `anonymous`.
 *
 * @example
 * auditActorOf(clerk, 'enrolment_clerk', 'VE-A');
 * // { kind: 'operator', id: clerk.operatorId, role: 'enrolment_clerk', region: 'VE-A' }
 * auditActorOf({ kind: 'system', job: 'cli:operators' }, null, null);
 * // { kind: 'system', id: 'cli:operators', role: null, region: null }
 */
export function auditActorOf(
  actor: Actor | null,
  role: string | null,
  region: string | null,
): AuditEntryInput['actor'] {
  if (actor === null) return { kind: 'system', id: 'anonymous', role: null, region: null };
  if (actor.kind === 'operator') return { kind: 'operator', id: actor.operatorId, role, region };
  if (actor.kind === 'citizen') return { kind: 'citizen', id: actor.personId, role, region: null };
  return { kind: 'system', id: actor.job, role, region: null };
}
