import type { Actor, Purpose } from '../access/actor.js';
import { auditActorOf } from './audit-actor.js';
import type { AuditEntryInput } from './audit-entry.js';

/**
 * A write the person-access guard allowed: who, which action, in which region, and the guard's
 * decision (the role it ran under and the purpose). The registry's `WriteGrant` and the card
 * verbs' grants have this shape.
 */
export interface AllowedWrite {
  actor: Actor;
  action: string;
  regionCode: string | null;
  grant: { principal: string; purpose: Purpose | null };
}

/**
 * The audit entry of an allowed write, shaped like the guard's own entries, for the write's
 * transaction: registry writes, card issuance and revocation all record it.
 *
 * @example
 * await deps.audit.appendInTransaction(trx, [
 *   writeAuditEntry(write, { type: 'person', id: personId }, ['status'], requestId),
 * ]);
 */
export function writeAuditEntry(
  write: AllowedWrite,
  resource: AuditEntryInput['resource'],
  fields: readonly string[],
  requestId: string,
): AuditEntryInput {
  return {
    actor: auditActorOf(write.actor, write.grant.principal, write.regionCode),
    action: write.action,
    resource,
    purpose: write.grant.purpose,
    fields: [...fields].sort(),
    outcome: 'allowed',
    reasonCode: null,
    requestId,
  };
}
