import { auditActorOf } from '../../../shared/audit/audit-actor.js';
import type { AuditEntryInput } from '../../../shared/audit/audit-entry.js';
import type { Grant } from '../../access/index.js';
import type { PaymentsContext } from '../payments-context.js';
import { PaymentsError } from '../payments-error.js';

/** What the two steps of a payment without the card share (`counter-assisted.ts`, `-check.ts`). */

/** The label of the one-time code's key: a code of a redemption at a point opens nothing here. */
export const counterCodeLabel = 'amparo counter payment code v1';

/** The refusal of a second check, with a machine-readable reason the console translates. */
export function counterCheckRefusal(message: string, code: string): PaymentsError {
  return new PaymentsError('AMP_COUNTER_CHECK_FAILED', message, [
    { field: '/', reason: message, code },
  ]);
}

/** An entry on the person (their access history): who at which merchant, what was shown. */
export function personEntry(
  context: PaymentsContext,
  grant: Grant,
  personId: string | null,
  fields: readonly string[],
  reasonCode: string | null,
  action: AuditEntryInput['action'] = 'merchant.counter_assisted_pay',
): AuditEntryInput {
  return {
    actor: auditActorOf(context.actor, grant.principal, null),
    action,
    resource: { type: 'person', id: personId },
    purpose: context.purpose,
    fields: [...fields].sort(),
    outcome: reasonCode === null ? 'allowed' : 'denied',
    reasonCode,
    requestId: context.requestId,
  };
}
