import { limits } from '../../../limits.js';
import { localDate } from '../../notifications/index.js';
import type { DistributionContext, DistributionDependencies } from '../distribution-context.js';
import { nowOf, settingsOf } from '../distribution-context.js';
import { guardPoint, refuseAudited } from '../point-gate.js';
import {
  type RedemptionAnswer,
  type RedemptionLine,
  redeemFor,
} from '../redemption/redemption-service.js';
import type { AssistedMethod, AssistedReason } from '../tables.js';
import { checkRefusal } from './assisted-row.js';
import { assistedAt } from './assisted-service.js';

/**
 * Redeems all or part of one entitlement under a passed second check: the same locked,
 * idempotent write as with the card (`redeemFor`), in mode `assisted`. The check must have passed
 * and be recent (`limits.distribution.assistedRedeemWindowMs`); that is read inside the
 * redemption's transaction, so a retry of a redemption already made returns its first answer.
 *
 * @example
 *   await assistedRedeemer(deps, context, pointId, assistedId, { clientId, entitlementId, lines });
 */
export async function assistedRedeemer(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  assistedId: string,
  props: { clientId: string; entitlementId: string; lines: RedemptionLine[] },
): Promise<{ status: number; body: RedemptionAnswer }> {
  const { gate, row, resource } = await assistedAt(deps, context, pointId, assistedId);
  if (row.verified_at === null) {
    const refusal = checkRefusal('The second check has not passed', 'not_verified');
    return refuseAudited(deps, gate.write, resource, refusal.code, refusal.message, refusal.errors);
  }
  return redeemFor(deps, gate, {
    personId: row.person_id,
    requestId: context.requestId,
    clientId: props.clientId,
    request: { pointId, assistedId, ...props },
    entitlementId: props.entitlementId,
    lines: props.lines,
    mode: { kind: 'assisted', assistedId: row.id },
    alsoInTransaction: async (trx) => {
      const current = await trx
        .selectFrom('assisted_redemption')
        .select('verified_at')
        .where('id', '=', row.id)
        .executeTakeFirstOrThrow();
      // Safe: checked above, and a passed check is never un-passed.
      const verifiedAt = current.verified_at as Date;
      const ageMs = nowOf(deps).getTime() - verifiedAt.getTime();
      if (ageMs > limits.distribution.assistedRedeemWindowMs) {
        throw checkRefusal('The second check passed too long ago: start a new one', 'stale');
      }
    },
  });
}

export interface AssistedListing {
  day: string;
  perOperatorPerDayMax: number;
  byOperator: { operatorId: string; count: number }[];
  assisted: {
    id: string;
    operatorId: string;
    reason: AssistedReason;
    method: AssistedMethod;
    startedAt: string;
    verifiedAt: string | null;
    failedAt: string | null;
    codeAttempts: number;
    redemptions: number;
  }[];
}

/**
 * The supervisor's list of one point's redemptions without the card on a local day (America/Caracas): who started
 * each, why, which check, whether it passed, how many redemptions it carried, and each
 * operator's count against the daily bound. No person is named (the audit log links them).
 */
export async function assistedLister(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  query: { day?: string | undefined; limit?: number | undefined },
): Promise<AssistedListing> {
  const { point, grant } = await guardPoint(deps, context, 'distribution.assisted_review', pointId);
  const day = query.day ?? localDate(nowOf(deps));
  const rows = await deps.db
    .selectFrom('assisted_redemption as a')
    .leftJoin('redemption as r', 'r.assisted_id', 'a.id')
    .select((eb) => [
      'a.id',
      'a.operator_id',
      'a.reason',
      'a.method',
      'a.started_at',
      'a.verified_at',
      'a.failed_at',
      'a.code_attempts',
      eb.fn.count<string>('r.id').as('redemptions'),
    ])
    .where('a.point_id', '=', point.id)
    .where('a.started_day', '=', day)
    .groupBy('a.id')
    .orderBy('a.started_at', 'desc')
    .limit(query.limit ?? limits.distribution.listPageSizeMax)
    .execute();
  const byOperator = await deps.db
    .selectFrom('assisted_redemption')
    .select((eb) => ['operator_id', eb.fn.countAll<string>().as('count')])
    .where('point_id', '=', point.id)
    .where('started_day', '=', day)
    .groupBy('operator_id')
    .orderBy('operator_id')
    .execute();
  await grant.record([]);
  return {
    day,
    perOperatorPerDayMax: settingsOf(deps).assistedPerOperatorPerDay,
    byOperator: byOperator.map((each) => ({
      operatorId: each.operator_id,
      count: Number(each.count),
    })),
    assisted: rows.map((each) => ({
      id: each.id,
      operatorId: each.operator_id,
      reason: each.reason,
      method: each.method,
      startedAt: each.started_at.toISOString(),
      verifiedAt: each.verified_at?.toISOString() ?? null,
      failedAt: each.failed_at?.toISOString() ?? null,
      codeAttempts: each.code_attempts,
      redemptions: Number(each.redemptions),
    })),
  };
}
