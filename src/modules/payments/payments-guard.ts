import type { Action } from '../../shared/access/policy.js';
import type { AuditEntryInput } from '../../shared/audit/audit-entry.js';
import { type Grant, guardPersonAccess } from '../access/index.js';
import { personRegionLookup } from '../registry/index.js';
import type { PaymentsContext, PaymentsDependencies } from './payments-context.js';

/**
 * The gate in front of every payments route (docs/ACCESS.md, "Money"): decided by the decision
 * table, every attempt audited. Actions on money that is nobody's (funding, a disbursement,
 * the trial balance) have scope `any`; a person's wallet is person-level data, scoped to the
 * person's region, counted against the operator's read quota and audited on the person.
 */
export async function guardLedgerAction(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  action: Action,
  resource: { type: AuditEntryInput['resource']['type']; id: string | null },
  /** False when the thing named was looked up and not found: refused as 404 and audited. */
  exists = true,
): Promise<Grant> {
  return guardPersonAccess(deps, {
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
}

/** The gate in front of one person's wallet. */
export async function guardWallet(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  personId: string,
): Promise<{ record(fields: readonly string[]): Promise<void> }> {
  const person = await personRegionLookup(deps.db)(personId);
  return guardPersonAccess(deps, {
    actor: context.actor,
    action: 'payment.wallet_read',
    resource: { type: 'person', id: personId },
    regionCode: person?.regionCode ?? null,
    personId: person?.personId ?? null,
    exists: person !== undefined,
    purpose: context.purpose,
    requestId: context.requestId,
    countsAsPersonRead: context.actor?.kind === 'operator',
  });
}
