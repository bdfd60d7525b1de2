import type { Actor, Purpose } from '../../shared/access/actor.js';
import type { Action } from '../../shared/access/policy.js';
import type { AuditEntryInput } from '../../shared/audit/audit-entry.js';

/*
 * What the audit module needs from modules above it, declared here as small ports so that audit
 * imports only the platform and shared (it sits under every module, and every module writes to
 * it). `src/app.ts` injects the implementations: access's person-access guard and the
 * registry's region lookup.
 */

/** One access to decide, in the words of the person-access guard. */
export interface AuditGuardedAccess {
  actor: Actor | null;
  action: Action;
  resource: { type: AuditEntryInput['resource']['type']; id: string | null };
  /** The record's region and owner; both null when the record does not exist. */
  regionCode: string | null;
  personId: string | null;
  /** False when the record was looked up and not found. */
  exists: boolean;
  purpose: Purpose | null;
  requestId: string;
  /** Reads of person records count against the operator's hourly quota. */
  countsAsPersonRead: boolean;
}

/**
 * The one gate in front of person-level data (access/person-access-guard.ts): refuses by
 * throwing, audits the refusal; an allowed access is audited when `record` is awaited.
 */
export type AccessGuard = (
  access: AuditGuardedAccess,
) => Promise<{ record(fields: readonly string[]): Promise<void> }>;

/** The region a person record belongs to (the registry's), or undefined when there is none. */
export type PersonRegionLookup = (
  personId: string,
) => Promise<{ personId: string; regionCode: string } | undefined>;
