import type { PaymentsContext, PaymentsDependencies } from '../payments-context.js';
import { PaymentsError } from '../payments-error.js';
import { guardMerchant, type MerchantSummary, merchantById } from './merchant-registry.js';
import { auditedRefusals } from './refusal-audit.js';

/**
 * A second finance officer approves a merchant's registration (`merchant.approve`): its
 * settlement account, staff and the programs' subsidy shares. Until then the merchant makes no
 * payment request and is paid nothing (`AMP_APPROVAL_REQUIRED`). The finance officer who
 * registered it cannot (`AMP_APPROVAL_SAME_OPERATOR`, audited as denied; the database refuses
 * it too). Approving an approved merchant answers it unchanged. No route changes a settlement
 * account or a share after registration: a change is a new registration, approved again.
 *
 * @example
 *   const merchant = await merchantApprover(deps, context, merchantId);
 */
export async function merchantApprover(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  merchantId: string,
): Promise<MerchantSummary> {
  const grant = await guardMerchant(deps, context, 'merchant.approve', merchantId);
  const actor = context.actor;
  await auditedRefusals(
    deps,
    context,
    {
      action: 'merchant.approve',
      resource: { type: 'merchant', id: merchantId },
      principal: grant.principal,
    },
    async () => {
      const row = await deps.db
        .selectFrom('merchant')
        .select(['registered_by', 'approved_at'])
        .where('id', '=', merchantId)
        .executeTakeFirstOrThrow();
      if (actor?.kind !== 'operator' || actor.operatorId === row.registered_by) {
        throw new PaymentsError(
          'AMP_APPROVAL_SAME_OPERATOR',
          'The finance officer who registered the merchant cannot approve it: a second one must',
        );
      }
      if (row.approved_at !== null) return;
      await deps.db
        .updateTable('merchant')
        .set({ approved_by: actor.operatorId, approved_at: deps.now?.() ?? new Date() })
        .where('id', '=', merchantId)
        .where('approved_at', 'is', null)
        .execute();
    },
  );
  await grant.record([]);
  // Safe: the guard refused a merchant that does not exist.
  return (await merchantById(deps.db, merchantId)) as MerchantSummary;
}
