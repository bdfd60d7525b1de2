import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';

/** One program cycle in one state: how many were eligible, entitled, appealed, upheld. */
export interface CoverageGroup {
  programCode: string;
  cycleId: string;
  /** The cycle's reference date, YYYY-MM-DD: the order of cycles in trends. */
  referenceDate: string;
  stateCode: string;
  /** Persons in the cycle's frozen set (its current round). */
  eligible: number;
  /** Persons with an entitlement of the cycle (by rule or by an upheld appeal). */
  entitled: number;
  appealsFiled: number;
  appealsUpheld: number;
}

/**
 * The programs module's aggregate read model for statistics (issue #17): per program, cycle
 * and state, counts only. Reads the module's own tables (the frozen set carries each
 * member's state), so no person table is touched and no id leaves the module.
 *
 * @example
 *   const groups = await coverageByProgramCycle(db);
 *   groups[0]; // { programCode: 'food_box', cycleId, stateCode: 'VE-A', eligible: 120, entitled: 118, … }
 */
export async function coverageByProgramCycle(db: Kysely<Database>): Promise<CoverageGroup[]> {
  const result = await sql<{
    program_code: string;
    cycle_id: string;
    reference_date: string;
    state_code: string;
    eligible: string | number;
    entitled: string | number;
    appeals_filed: string | number;
    appeals_upheld: string | number;
  }>`
    with members as (
      select m.cycle_id, m.region_code, count(*) as eligible
        from program_cycle_member m
        join program_cycle c on c.id = m.cycle_id and m.round = c.round
       group by 1, 2
    ), entitled as (
      select e.cycle_id, m.region_code, count(distinct e.person_id) as entitled
        from entitlement e
        join program_cycle c on c.id = e.cycle_id
        join program_cycle_member m
          on m.cycle_id = e.cycle_id and m.person_id = e.person_id and m.round = c.round
       group by 1, 2
    ), appeals as (
      select a.cycle_id, a.region_code, count(*) as filed,
             count(*) filter (where a.outcome = 'upheld') as upheld
        from appeal a
       group by 1, 2
    ), keys as (
      select cycle_id, region_code from members
      union select cycle_id, region_code from entitled
      union select cycle_id, region_code from appeals
    )
    select p.code as program_code, c.id as cycle_id, c.reference_date::text as reference_date,
           k.region_code as state_code,
           coalesce(mm.eligible, 0) as eligible, coalesce(en.entitled, 0) as entitled,
           coalesce(ap.filed, 0) as appeals_filed, coalesce(ap.upheld, 0) as appeals_upheld
      from keys k
      join program_cycle c on c.id = k.cycle_id
      join program p on p.id = c.program_id
      left join members mm on mm.cycle_id = k.cycle_id and mm.region_code = k.region_code
      left join entitled en on en.cycle_id = k.cycle_id and en.region_code = k.region_code
      left join appeals ap on ap.cycle_id = k.cycle_id and ap.region_code = k.region_code`.execute(
    db,
  );
  return result.rows.map((row) => ({
    programCode: row.program_code,
    cycleId: row.cycle_id,
    referenceDate: row.reference_date,
    stateCode: row.state_code,
    eligible: Number(row.eligible),
    entitled: Number(row.entitled),
    appealsFiled: Number(row.appeals_filed),
    appealsUpheld: Number(row.appeals_upheld),
  }));
}
