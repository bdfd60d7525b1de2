import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { cycleForReconciliation } from '../../programs/index.js';
import type { DistributionDependencies } from '../distribution-context.js';
import type { DistributionErrorCode } from '../distribution-error.js';
import { type PointGrant, refuseAudited } from '../point-gate.js';

/**
 * The hand-overs `operatorId` made as an operator — separation of duties for a distribution
 * supervisor who also hands goods out: whoever handed goods out does not sign off, count, correct
 * or decide on the figures that count them. One attribution of who handed over, from what the data
 * keeps:
 *
 * - an offline receipt (counted, kept as a conflict, or counted later by a supervisor's
 *   decision) was made by the operator the device signed into it (`offline_receipt.served_by`,
 *   migration 0159), whoever synced it; a receipt synced before that column by the operator its
 *   snapshot was issued to (`distribution_snapshot.issued_by`), the best the data holds for it;
 * - any other redemption by `redemption.operator_id`, except those an offline receipt wrote (its
 *   `operator_id` may be whoever synced it, a supervisor syncing for a removed operator) and the
 *   redemption a supervisor's `later_stands` decision wrote (it names the supervisor, who
 *   decided, not handed over).
 *
 * Reversed redemptions count too: the goods left the operator's hands all the same. Rows: the
 * point, the cycle and the entitlement of each hand-over.
 */
function handOversBy(operatorId: string): RawBuilder<unknown> {
  return sql`(
    select o.point_id, o.cycle_id, o.entitlement_id from offline_receipt o
      join distribution_snapshot s on s.id = o.snapshot_id
      where coalesce(o.served_by, s.issued_by) = ${operatorId}
    union all
    select r.point_id, r.cycle_id, r.entitlement_id from redemption r
      where r.operator_id = ${operatorId}
        and not exists (select 1 from offline_receipt o where o.redemption_id = r.id)
        and not exists (select 1 from offline_conflict_resolution x where x.redemption_id = r.id)
  )`;
}

/** Whether the query finds a row (it stops at the first). */
async function anyRow(db: Kysely<Database>, query: RawBuilder<unknown>): Promise<boolean> {
  const found = await sql`select exists (${query}) as found`.execute(db);
  return (found.rows[0] as { found: boolean } | undefined)?.found === true; // Safe: one row.
}

/**
 * Whether `operatorId` handed anything over at the point in the cycle: refuses the cycle's
 * sign-off (`AMP_SIGN_OFF_SAME_OPERATOR`).
 *
 * @example
 *   if (await handedOverAt(db, pointId, cycleId, signerId)) refuse('AMP_SIGN_OFF_SAME_OPERATOR');
 */
export async function handedOverAt(
  db: Kysely<Database>,
  pointId: string,
  cycleId: string,
  operatorId: string,
): Promise<boolean> {
  return anyRow(
    db,
    sql`select 1 from ${handOversBy(operatorId)} h
      where h.point_id = ${pointId} and h.cycle_id = ${cycleId}`,
  );
}

/**
 * Whether `operatorId` has a hand-over in a carry-over dispute: the late offline receipt's point
 * and cycle (the reconciliation the dispute is listed in, which holds the receipt itself), or
 * the person's next entitlement the overlap was handed out from a second time (at any point).
 * Refuses the dispute's decision (`AMP_DISPUTE_OWN_HAND_OVER`).
 *
 * @example
 *   if (await handOverInDispute(db, receiptId, item, deciderId)) refuse('AMP_DISPUTE_OWN_HAND_OVER');
 */
export async function handOverInDispute(
  db: Kysely<Database>,
  receiptId: string,
  item: string,
  operatorId: string,
): Promise<boolean> {
  return anyRow(
    db,
    sql`select 1 from carry_over_withdrawal w
      join offline_receipt o on o.id = w.receipt_id
      join ${handOversBy(operatorId)} h
        on (h.point_id = o.point_id and h.cycle_id = o.cycle_id)
          or h.entitlement_id = w.into_entitlement_id
      where w.receipt_id = ${receiptId} and w.item = ${item}`,
  );
}

/**
 * Whether one of `moments` falls in the stock window (`CycleForReconciliation.window`) of a cycle
 * in which `operatorId` handed goods over at the point: a count recorded, or a count correction
 * made, then would be counted in the reconciliation of their own hand-overs. Refuses them
 * (`AMP_STOCK_COUNT_OWN_HAND_OVERS`). Moments are the database's clock, as the stock ledger's.
 *
 * @example
 *   if (await handedOverInWindowAt(db, pointId, supervisorId, [now])) refuse(…);
 */
export async function handedOverInWindowAt(
  db: Kysely<Database>,
  pointId: string,
  operatorId: string,
  moments: readonly Date[],
): Promise<boolean> {
  const cycles = await sql<{ cycle_id: string }>`
    select distinct h.cycle_id from ${handOversBy(operatorId)} h
      where h.point_id = ${pointId}`.execute(db);
  for (const { cycle_id } of cycles.rows) {
    const window = (await cycleForReconciliation(db, cycle_id))?.window;
    const { from, to } = window ?? { from: null, to: null };
    if (from === null) continue; // Not begun: the open cycle before it holds what moves.
    if (moments.some((at) => at >= from && (to === null || at < to))) return true;
  }
  return false;
}

type OwnHandOverCode = Extract<
  DistributionErrorCode,
  'AMP_SIGN_OFF_SAME_OPERATOR' | 'AMP_STOCK_COUNT_OWN_HAND_OVERS' | 'AMP_DISPUTE_OWN_HAND_OVER'
>;

const ownHandOverDetail: Record<OwnHandOverCode, string> = {
  AMP_SIGN_OFF_SAME_OPERATOR:
    'You handed goods over at this point in this cycle: another supervisor signs its reconciliation off',
  AMP_STOCK_COUNT_OWN_HAND_OVERS:
    'You handed goods over at this point in this cycle: another supervisor counts its stock or corrects the count',
  AMP_DISPUTE_OWN_HAND_OVER:
    'You handed goods over in this dispute or at this point in its cycle: another supervisor decides it',
};

/**
 * Refuses, audited on the point (403, nothing written), when `handedOver`: one refusal for the
 * four separation-of-duties checks.
 *
 * @example
 *   await refuseOwnHandOvers(deps, gate, await handedOverAt(…), 'AMP_SIGN_OFF_SAME_OPERATOR');
 */
export async function refuseOwnHandOvers(
  deps: DistributionDependencies,
  gate: PointGrant,
  handedOver: boolean,
  code: OwnHandOverCode,
): Promise<void> {
  if (!handedOver) return;
  await refuseAudited(
    deps,
    gate.write,
    { type: 'distribution_point', id: gate.point.id },
    code,
    ownHandOverDetail[code],
  );
}
