import { type Kysely, type RawBuilder, sql } from 'kysely';
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
/**
 * Each redeemed entitlement once, with how it was first redeemed (issue #17): the relation the
 * programs module joins to its entitlements to count redeemed persons by the area they live
 * in (wired at the composition root, as the registry's facts relation is for eligibility).
 * Entitlement ids only, never a person id, and it never leaves the database: the caller's
 * query groups it into counts.
 *
 * @example
 *   sql`select count(*) from ${firstRedemptionsRelation()} as r where r.mode = 'assisted'`;
 */
export function firstRedemptionsRelation(): RawBuilder<{
  entitlement_id: string;
  mode: 'card' | 'assisted';
}> {
  return sql`(select distinct on (r.entitlement_id) r.entitlement_id, r.mode
      from redemption r
     where ${notReversed('r')}
     order by r.entitlement_id, r.redeemed_at)`;
}

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
