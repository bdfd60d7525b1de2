import { operatorsWithIds } from '../../access/index.js';
import type { DistributionDependencies } from '../distribution-context.js';
import { distributionLimits } from '../limits.js';
import type { OfflineReceiptInput } from './offline-receipt.js';

/**
 * Whether an operator could make a hand-over at this point at a moment: answers for the operators
 * a sync's receipts name (format v4, `servedBy`).
 */
export type OperatorServedAt = (operatorId: string, at: Date) => boolean;

/**
 * Whether each operator the receipts name was, at a receipt's time, an **active distribution
 * operator assigned to the point** (review finding F5): the account holds the
 * `distribution_operator` role (now: roles keep no history), was not disabled at that moment, and
 * the point's assignment history (`distribution_point_operator_change`, migration 0144) says it
 * was assigned then. The device's clock may be off by `offline.deviceClockSkewMaxMs` (as the
 * snapshot's check allows): the receipt's moment is that window around `deviceTime`, and it
 * counts if the operator was assigned and not disabled at some point of it. Two reads for the
 * whole batch.
 *
 * @example
 *   const servedAt = await offlineOperatorsOf(deps, pointId, receipts);
 *   servedAt(receipt.servedBy, new Date(receipt.deviceTime)); // true or false
 */
export async function offlineOperatorsOf(
  deps: DistributionDependencies,
  pointId: string,
  receipts: readonly OfflineReceiptInput[],
): Promise<OperatorServedAt> {
  const named = [
    ...new Set(receipts.flatMap((receipt) => (receipt.servedBy ? [receipt.servedBy] : []))),
  ];
  if (named.length === 0) return () => false;
  const [accounts, changes] = await Promise.all([
    operatorsWithIds(deps.db, named),
    deps.db
      .selectFrom('distribution_point_operator_change')
      .select(['operator_id', 'active', 'changed_at'])
      .where('point_id', '=', pointId)
      .where('operator_id', 'in', named)
      .orderBy('changed_at')
      .orderBy('id')
      .execute(),
  ]);
  const accountOf = new Map(accounts.map((account) => [account.operatorId, account]));
  const skewMax = distributionLimits.offline.deviceClockSkewMaxMs;
  return (operatorId, at) => {
    const from = at.getTime() - skewMax;
    const to = at.getTime() + skewMax;
    const account = accountOf.get(operatorId);
    if (account === undefined || !account.roles.includes('distribution_operator')) return false;
    if (account.disabledAt !== null && account.disabledAt.getTime() <= from) return false;
    // Assigned at some moment of [from, to]: assigned at `from`, or assigned by a change within.
    let assigned = false;
    for (const change of changes) {
      if (change.operator_id !== operatorId) continue;
      const changedAt = change.changed_at.getTime();
      if (changedAt > to) break;
      if (changedAt > from && change.active) return true;
      assigned = change.active;
    }
    return assigned;
  };
}
