import type { Actor, Purpose } from '../../shared/access/actor.js';
import type { Action } from '../../shared/access/policy.js';

/*
 * What the notifications routes need from modules above them, declared here as ports (the
 * module sits below access and the registry): `src/app.ts` injects access's person-access
 * guard and the registry's region lookup, as it does for the audit module.
 */

export interface NotificationsGuardedAccess {
  actor: Actor | null;
  action: Action;
  resource: { type: 'person'; id: string | null };
  regionCode: string | null;
  personId: string | null;
  exists: boolean;
  purpose: Purpose | null;
  requestId: string;
  countsAsPersonRead: boolean;
}

/** Refuses by throwing (and audits the refusal); an allowed access is audited by `record`. */
export type NotificationsAccessGuard = (
  access: NotificationsGuardedAccess,
) => Promise<{ record(fields: readonly string[]): Promise<void> }>;

/** The region a person record belongs to, or undefined when there is none. */
export type NotificationsPersonRegion = (
  personId: string,
) => Promise<{ personId: string; regionCode: string } | undefined>;
