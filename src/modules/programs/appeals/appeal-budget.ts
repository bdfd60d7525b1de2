import { sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { summariseRound } from '../cycles/cycle-members.js';
import type { CheckedContent } from '../program-content.js';
import { ProgramsError } from '../programs-error.js';

/**
 * Refuses (`AMP_BUDGET_EXCEEDED`, with the figures) an upheld appeal that would take its cycle
 * over the program's budget cap (docs/APPEALS.md, "Upheld appeals and the budget"). The cost
 * counted is the approved round's (as at approval: counts and totals of the frozen set, so a
 * member who died since still counts) plus every entitlement already granted in the cycle by
 * appeal plus this one: money in minor units for cash and vouchers, benefits for a basket. The
 * caller holds the cycle's row lock, so two appeals upheld at once are counted one after the
 * other. The appeal stays assigned: it can be decided again once the figures allow it.
 *
 * @example
 *   await refuseAppealOverBudget(trx, { cycleId, round, checked, amountMinor: 130_000_00n });
 */
export async function refuseAppealOverBudget(
  trx: Transaction<Database>,
  props: { cycleId: string; round: number; checked: CheckedContent; amountMinor: bigint | null },
): Promise<void> {
  const summary = await summariseRound(trx, props.cycleId, props.round);
  const appealed = await sql<{ count: string; total: string }>`select count(*)::text as count,
      coalesce(sum(amount_minor), 0)::numeric::text as total
      from entitlement where cycle_id = ${props.cycleId} and basis = 'appeal'`.execute(trx);
  const byAppeal = { count: BigInt(appealed.rows[0]?.count ?? '0'), total: 0n };
  byAppeal.total = BigInt(appealed.rows[0]?.total ?? '0');
  const basket = 'basket' in props.checked.content.benefit;
  const cost = basket
    ? summary.eligible + byAppeal.count + 1n
    : summary.totalMinor + byAppeal.total + (props.amountMinor ?? 0n);
  const cap = props.checked.content.budgetCap;
  if (cost <= cap) return;
  throw new ProgramsError(
    'AMP_BUDGET_EXCEEDED',
    `Upholding would bring the cycle to ${cost} (${summary.eligible} by the rule, ${byAppeal.count} by appeal before this one), over the cap of ${cap}; the appeal stays assigned`,
  );
}
