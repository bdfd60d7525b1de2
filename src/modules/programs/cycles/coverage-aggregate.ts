import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';

/**
 * One program cycle in one area: how many were enrolled, eligible, entitled, redeemed,
 * appealed. Enrolled counts the persons the cycle's run considered (migration 0083), the
 * other measures but the appeals count members of the cycle's frozen set, all by the area they
 * lived in when the chunk was computed, so each is a subset of the one before: redeemed without
 * the card ≤ redeemed ≤ entitled ≤ eligible ≤ enrolled, in every area (statistics protects them
 * as one cube with those relations). Appeals count by the area the person lived in when filing
 * (migration 0084).
 */
export interface CoverageGroup {
  programCode: string;
  cycleId: string;
  /** The cycle's reference date, YYYY-MM-DD: the order of cycles in trends. */
  referenceDate: string;
  stateCode: string;
  /** The municipality (migrations 0049, 0083, 0084); null when unknown. */
  municipalityCode: string | null;
  /**
   * Active persons in the program's regions the current round's run considered (≥ eligible);
   * a round computed before it was recorded answers its eligible.
   */
  enrolled: number;
  /** Persons in the cycle's frozen set (its current round). */
  eligible: number;
  /** Members with an entitlement of the cycle (one per person, program and cycle). */
  entitled: number;
  /** Entitled members whose entitlement was redeemed (not reversed); 0 without the relation. */
  redeemed: number;
  /** …whose first redemption was assisted, without the card (safeguard 9). */
  redeemedWithoutCard: number;
  /** Appeals filed against the cycle, by the area the person lived in when filing. */
  appealsFiled: number;
  /** …decided in the person's favour. */
  appealsUpheld: number;
}

/** The distribution module's first redemption of each entitlement (`firstRedemptionsRelation`). */
export type FirstRedemptions = RawBuilder<{ entitlement_id: string; mode: 'card' | 'assisted' }>;

/**
 * The programs module's aggregate read model for statistics (issue #17): per program, cycle,
 * state and municipality, counts only. Reads the module's own tables (the frozen set carries
 * each member's state and municipality) and, when the composition root hands it in, the
 * distribution module's relation of first redemptions, joined by entitlement inside the
 * query: no id leaves the database.
 *
 * @example
 *   const groups = await coverageByProgramCycle(db, { firstRedemptions: firstRedemptionsRelation() });
 *   groups[0]; // { programCode: 'food_box', cycleId, stateCode: 'VE-A', municipalityCode: 'VE-A-01', eligible: 120, entitled: 118, redeemed: 90, … }
 */
export async function coverageByProgramCycle(
  db: Kysely<Database>,
  options: { firstRedemptions?: FirstRedemptions } = {},
): Promise<CoverageGroup[]> {
  const result = await coverageStatement(options).execute(db);
  return result.rows.map(groupOf);
}

/** The one statement behind `coverageByProgramCycle` (its benchmark explains it). */
export function coverageStatement(
  options: { firstRedemptions?: FirstRedemptions } = {},
): RawBuilder<CoverageRow> {
  const firsts =
    options.firstRedemptions ??
    sql`(select null::uuid as entitlement_id, null::text as mode where false)`;
  // One pass over the frozen sets: each member, its entitlement of the cycle (at most one per
  // person, program and cycle) and that entitlement's first redemption.
  // An unknown municipality is '' inside the query (null would not join by equality, and
  // `is not distinct from` cannot be a hash join), null again in the answer.
  return sql<CoverageRow>`
    with members as (
      select m.cycle_id, m.region_code, coalesce(m.municipality_code, '') as municipality_code,
             count(*) as eligible, count(e.id) as entitled, count(r.entitlement_id) as redeemed,
             count(*) filter (where r.mode = 'assisted') as redeemed_without_card
        from program_cycle_member m
        join program_cycle c on c.id = m.cycle_id and m.round = c.round
        left join entitlement e on e.cycle_id = m.cycle_id and e.person_id = m.person_id
        left join ${firsts} r on r.entitlement_id = e.id
       group by 1, 2, 3
    ), enrolled as (
      select a.cycle_id, a.region_code, a.municipality_code, sum(a.persons) as enrolled
        from program_cycle_area_count a
        join program_cycle c on c.id = a.cycle_id and a.round = c.round
       group by 1, 2, 3
    ), appeals as (
      select a.cycle_id, a.region_code, coalesce(a.municipality_code, '') as municipality_code,
             count(*) as filed, count(*) filter (where a.outcome = 'upheld') as upheld
        from appeal a
       group by 1, 2, 3
    ), keys as (
      select cycle_id, region_code, municipality_code from members
      union select cycle_id, region_code, municipality_code from enrolled
      union select cycle_id, region_code, municipality_code from appeals
    )
    select p.code as program_code, c.id as cycle_id, c.reference_date::text as reference_date,
           k.region_code as state_code, nullif(k.municipality_code, '') as municipality_code,
           greatest(coalesce(en.enrolled, 0), coalesce(mm.eligible, 0)) as enrolled,
           coalesce(mm.eligible, 0) as eligible, coalesce(mm.entitled, 0) as entitled,
           coalesce(mm.redeemed, 0) as redeemed,
           coalesce(mm.redeemed_without_card, 0) as redeemed_without_card,
           coalesce(ap.filed, 0) as appeals_filed, coalesce(ap.upheld, 0) as appeals_upheld
      from keys k
      join program_cycle c on c.id = k.cycle_id
      join program p on p.id = c.program_id
      ${byKey('members', 'mm')}
      ${byKey('enrolled', 'en')}
      ${byKey('appeals', 'ap')}`;
}

/** A left join of one of the query's parts on the key (cycle, state, municipality). */
function byKey(part: string, alias: string): RawBuilder<unknown> {
  const a = (column: string) => sql.ref(`${alias}.${column}`);
  return sql`left join ${sql.table(part)} ${sql.table(alias)} on ${a('cycle_id')} = k.cycle_id
        and ${a('region_code')} = k.region_code and ${a('municipality_code')} = k.municipality_code`;
}

interface CoverageRow {
  program_code: string;
  cycle_id: string;
  reference_date: string;
  state_code: string;
  municipality_code: string | null;
  enrolled: string | number;
  eligible: string | number;
  entitled: string | number;
  redeemed: string | number;
  redeemed_without_card: string | number;
  appeals_filed: string | number;
  appeals_upheld: string | number;
}

function groupOf(row: CoverageRow): CoverageGroup {
  return {
    programCode: row.program_code,
    cycleId: row.cycle_id,
    referenceDate: row.reference_date,
    stateCode: row.state_code,
    municipalityCode: row.municipality_code,
    enrolled: Number(row.enrolled),
    eligible: Number(row.eligible),
    entitled: Number(row.entitled),
    redeemed: Number(row.redeemed),
    redeemedWithoutCard: Number(row.redeemed_without_card),
    appealsFiled: Number(row.appeals_filed),
    appealsUpheld: Number(row.appeals_upheld),
  };
}
