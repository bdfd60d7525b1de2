import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { eligibilityFactsRelation } from '../../registry/index.js';
import type { CheckedRule } from '../rules/rule-checker.js';
import { sqlOnlyCondition } from '../rules/rule-plan.js';

/**
 * Before a rule change is published (issue #13, point 6): how many would enter and how many
 * would leave, by state, as aggregates only. A count under `smallCountMin` is not given, only
 * "fewer than 10", so a preview cannot single out a person; no list of persons is ever
 * returned to a program officer.
 *
 * @example
 *   await rulePreview(db, { current, proposed, referenceDate: '2026-12-01', regions: [] });
 *   // { byState: [{ regionCode: 'VE-A', entering: { fewerThan: 10 }, leaving: { count: 42 } }] }
 */
export const smallCountMin = 10;

export type PreviewCount = { count: number } | { fewerThan: number };

export interface RulePreview {
  byState: Array<{ regionCode: string; entering: PreviewCount; leaving: PreviewCount }>;
}

function shown(count: bigint): PreviewCount {
  return count < BigInt(smallCountMin) ? { fewerThan: smallCountMin } : { count: Number(count) };
}

export async function rulePreview(
  db: Kysely<Database>,
  props: {
    /** The rule in force, or undefined for a program never published (everyone enters). */
    current: CheckedRule | undefined;
    proposed: CheckedRule;
    referenceDate: string;
    regions: readonly string[];
  },
): Promise<RulePreview> {
  const facts = eligibilityFactsRelation({ referenceDate: props.referenceDate });
  const now = props.current === undefined ? sql`false` : sqlOnlyCondition(props.current, 'f');
  const next = sqlOnlyCondition(props.proposed, 'f');
  const inScope =
    props.regions.length === 0
      ? sql`true`
      : sql`f.region_code in (${sql.join(props.regions.map((region) => sql`${region}`))})`;
  const result = await sql<{ region_code: string; entering: bigint; leaving: bigint }>`
    select region_code,
           count(*) filter (where proposed and not current)::int8 as entering,
           count(*) filter (where current and not proposed)::int8 as leaving
      from (select f.region_code, coalesce(${now}, false) as current,
                   coalesce(${next}, false) as proposed
              from ${facts} as f where ${inScope}) as decided
     group by region_code order by region_code`.execute(db);
  return {
    byState: result.rows
      .filter((row) => row.entering > 0n || row.leaving > 0n)
      .map((row) => ({
        regionCode: row.region_code,
        entering: shown(row.entering),
        leaving: shown(row.leaving),
      })),
  };
}
