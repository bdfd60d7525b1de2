import type { Action } from '../../../shared/access/policy.js';
import { auditActorOf } from '../../../shared/audit/audit-actor.js';
import type { AuditEntryInput } from '../../../shared/audit/audit-entry.js';
import type { AllowedWrite } from '../../../shared/audit/write-audit-entry.js';
import { type Grant, guardPersonAccess } from '../../access/index.js';
import type { PaymentsContext, PaymentsDependencies } from '../payments-context.js';

/**
 * What the payout verbs need beyond the module's dependencies: the master key, which unwraps
 * the paid persons' data keys that seal each creditor (creditor-seal.ts).
 */
export type PayoutDependencies = PaymentsDependencies & { masterKey: Buffer };

/** What the gate allowed: the grant (which records the read) and the write for audit entries. */
export interface PayoutGrant {
  grant: Grant;
  write: AllowedWrite & { requestId: string };
}

/**
 * The gate in front of every payout route: the decision table by role and purpose (the
 * payout actions have scope `any`: a bank file is not of one region), a missing batch
 * answered like a record outside one's scope (404), every refusal audited.
 */
export async function guardPayout(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  action: Action,
  resource: AuditEntryInput['resource'],
  exists: boolean,
): Promise<PayoutGrant> {
  const grant = await guardPersonAccess(deps, {
    actor: context.actor,
    action,
    resource,
    regionCode: null,
    personId: null,
    exists,
    purpose: context.purpose,
    requestId: context.requestId,
    countsAsPersonRead: false,
  });
  if (context.actor === null) throw new Error('the guard lets no anonymous request through');
  return {
    grant,
    write: { actor: context.actor, action, regionCode: null, grant, requestId: context.requestId },
  };
}

/**
 * The gate of a payout list (`payout.read`, no one record: the batches, the flagged payments,
 * the suspense report): `guardPayout` over the kind listed, which always exists.
 *
 * @example
 *   const { grant } = await guardPayoutList(deps, context, 'payout_batch');
 */
export function guardPayoutList(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  listed: 'payout_batch' | 'bank_file',
): Promise<PayoutGrant> {
  return guardPayout(deps, context, 'payout.read', { type: listed, id: null }, true);
}

/** The audit entry of a refusal after the gate allowed (a malformed file, no money). */
export function refusedAfterGate(
  write: PayoutGrant['write'],
  resource: AuditEntryInput['resource'],
  reasonCode: string,
): AuditEntryInput {
  return {
    actor: auditActorOf(write.actor, write.grant.principal, null),
    action: write.action,
    resource,
    purpose: write.grant.purpose,
    fields: [],
    outcome: 'denied',
    reasonCode,
    requestId: write.requestId,
  };
}

/** Runs `work`; a coded refusal it throws is audited as denied, then thrown on. */
export async function auditingRefusals<T>(
  deps: PaymentsDependencies,
  write: PayoutGrant['write'],
  resource: AuditEntryInput['resource'],
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : null;
    if (code?.startsWith('AMP_')) await deps.audit.append(refusedAfterGate(write, resource, code));
    throw error;
  }
}
