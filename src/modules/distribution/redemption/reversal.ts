import { type RawBuilder, sql } from 'kysely';

/**
 * The condition "this redemption still counts": it was not reversed when a supervisor cleared an
 * offline conflict in favour of the later receipt (`redemption_reversal`, migration 0074).
 * Every count of redemptions (reconciliation, statistics, conflicts, a sync's arithmetic) uses it.
 *
 * @example
 *   db.selectFrom('redemption as r').selectAll().where(notReversed('r'));
 */
export function notReversed(redemptionAlias: string): RawBuilder<boolean> {
  return sql<boolean>`not exists (select 1 from redemption_reversal x where x.redemption_id = ${sql.ref(
    `${redemptionAlias}.id`,
  )})`;
}
