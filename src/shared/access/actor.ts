import type { Role } from './roles.js';

/**
 * Why person-level data is being read or written (safeguard 2). Every such request names
 * one; the policy checks it against the actor's role and the audit log records it.
 */
export const purposes = [
  'enrolment',
  'eligibility_review',
  'distribution',
  'appeal',
  'audit',
  'self',
  // The system reading a phone to send the person a text (no role may name it in a request).
  'notification',
] as const;
export type Purpose = (typeof purposes)[number];

export function isPurpose(value: unknown): value is Purpose {
  return typeof value === 'string' && (purposes as readonly string[]).includes(value);
}

/** Who is making a request, as established by a session or a device token. */
export type Actor = OperatorActor | CitizenActor | SystemActor;

export interface OperatorActor {
  kind: 'operator';
  operatorId: string;
  username: string;
  roles: readonly Role[];
  /** ISO 3166-2:VE codes the operator's roles apply to. */
  regions: readonly string[];
  sessionId: string;
}

/** A person signed in as themself: may only see their own record, for purpose `self`. */
export interface CitizenActor {
  kind: 'citizen';
  personId: string;
  sessionId: string;
}

/** Jobs run from the CLI (imports, issuance batches). */
export interface SystemActor {
  kind: 'system';
  job: string;
}
