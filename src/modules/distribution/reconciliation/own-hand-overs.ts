import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';

/**
 * Whether `operatorId` handed anything over at the point in the cycle as its operator — the
 * separation of duties of a reconciliation sign-off: whoever handed goods out does not sign off
 * the figures that count them. Who handed over is read from what the data keeps:
 *
 * - an offline receipt (counted, kept as a conflict, or counted later by a supervisor's
 *   decision) was made by the operator its snapshot was issued to (`distribution_snapshot.issued_by`),
 *   whoever synced it;
 * - any other redemption by `redemption.operator_id`, except those an offline receipt wrote (its
 *   `operator_id` may be whoever synced it, a supervisor syncing for a removed operator) and the
 *   redemption a supervisor's `later_stands` decision wrote (it names the supervisor, who
 *   decided, not handed over).
 *
 * Reversed redemptions count too: the goods left the operator's hands all the same.
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
  const found = await sql<{ found: number }>`
    select 1 as found from offline_receipt o
      join distribution_snapshot s on s.id = o.snapshot_id
      where o.point_id = ${pointId} and o.cycle_id = ${cycleId} and s.issued_by = ${operatorId}
    union all
    select 1 as found from redemption r
      where r.point_id = ${pointId} and r.cycle_id = ${cycleId} and r.operator_id = ${operatorId}
        and not exists (select 1 from offline_receipt o where o.redemption_id = r.id)
        and not exists (select 1 from offline_conflict_resolution x where x.redemption_id = r.id)
    limit 1`.execute(db);
  return found.rows.length > 0;
}
