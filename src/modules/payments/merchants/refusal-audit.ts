import { AmparoError } from '../../../platform/errors.js';
import type { Principal } from '../../../shared/access/policy.js';
import { auditActorOf } from '../../../shared/audit/audit-actor.js';
import type { AuditEntryInput } from '../../../shared/audit/audit-entry.js';
import { ControlsError } from '../controls/controls-error.js';
import type { PaymentsContext, PaymentsDependencies } from '../payments-context.js';
import { PaymentsError } from '../payments-error.js';

/**
 * Runs a money verb after the gate allowed it, and audits its refusal (an expired, replayed or
 * forged request, a wrong or locked PIN, too little money, a thing named that does not exist)
 * as a denied entry with the `AMP_*`
 * code, the way the gate audits its own refusals; then answers the refusal.
 *
 * @example
 *   const receipt = await auditedRefusals(deps, context, { action: 'payment.pay', … }, () => pay());
 */
export async function auditedRefusals<T>(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  entry: {
    action: AuditEntryInput['action'];
    resource: AuditEntryInput['resource'];
    principal: Principal | 'system';
  },
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (
      error instanceof PaymentsError ||
      error instanceof ControlsError ||
      error instanceof AmparoError
    ) {
      await deps.audit.append({
        actor: auditActorOf(context.actor, entry.principal, null),
        action: entry.action,
        resource: entry.resource,
        purpose: context.purpose,
        fields: [],
        outcome: 'denied',
        reasonCode: error.code,
        requestId: context.requestId,
      });
    }
    throw error;
  }
}
