import { type Kysely, sql } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { RedemptionGroup } from '../../shared/statistics/aggregate-groups.js';
import { notReversed } from './redemption/reversal.js';

export type { RedemptionGroup };

/**
 * The distribution module's aggregate read model for statistics (issue #17, point 2): counts
 * of redeemed entitlements by cycle, point state, mode and day, each entitlement counted once
 * (at its first redemption, however many partial hand-overs followed). Reads only this
 * module's tables; no person id or entitlement id leaves the query.
 *
 * @example
 *   const groups = await redemptionsByCycleStateDay(db);
 *   groups[0]; // { cycleId, stateCode: 'VE-A', mode: 'assisted', day: '2026-11-03', entitlements: 42 }
 */
export async function redemptionsByCycleStateDay(db: Kysely<Database>): Promise<RedemptionGroup[]> {
  const result = await sql<{
    cycle_id: string;
    region_code: string;
    mode: 'card' | 'assisted';
    day: string;
    entitlements: string | number;
  }>`
    with firsts as (
      select distinct on (r.entitlement_id) r.cycle_id, r.point_id, r.mode, r.redeemed_at
        from redemption r
       where ${notReversed('r')}
       order by r.entitlement_id, r.redeemed_at
    )
    select f.cycle_id, p.region_code, f.mode,
           to_char(f.redeemed_at at time zone 'UTC', 'YYYY-MM-DD') as day,
           count(*) as entitlements
      from firsts f
      join distribution_point p on p.id = f.point_id
     group by 1, 2, 3, 4`.execute(db);
  return result.rows.map((row) => ({
    cycleId: row.cycle_id,
    stateCode: row.region_code,
    mode: row.mode,
    day: row.day,
    entitlements: Number(row.entitlements),
  }));
}
