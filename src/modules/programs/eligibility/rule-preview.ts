import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { eligibleRows } from '../cycles/cycle-members.js';
import type { CheckedContent } from '../program-content.js';
import { sqlOnlyCondition } from '../rules/rule-plan.js';

/**
 * Before a rule change is published (issue #13, point 6): how many would enter and how many
 * would leave, by state, as aggregates only. Both sets come from the cycles' own batch
 * evaluator (`eligibleRows`: the compiled rule over the registry's facts, the program's
 * regions, heads of household for a household program), so the preview says what the next
 * cycle would do (a rule over a sealed fact is refused: its deciding needs the cycles' worker
 * pool). A count under `smallCountMin` is not given, only "fewer than 10"; a total
 * that would reveal the one state so hidden is withheld; no person is ever listed.
 *
 * @example
 *   await rulePreview(db, { current, proposed, referenceDate: '2026-12-01' });
 *   // { byState: [{ regionCode: 'VE-A', entering: { fewerThan: 10 }, leaving: { count: 42 } }],
 *   //   total: { entering: null, leaving: { count: 42 } } }
 */
export const smallCountMin = 10;

export type PreviewCount = { count: number } | { fewerThan: number };

export interface RulePreview {
  byState: Array<{ regionCode: string; entering: PreviewCount; leaving: PreviewCount }>;
  /** Over every state; null where it would let the one hidden state be worked out. */
  total: { entering: PreviewCount | null; leaving: PreviewCount | null };
}

function shown(count: bigint): PreviewCount {
  return count < BigInt(smallCountMin) ? { fewerThan: smallCountMin } : { count: Number(count) };
}

/**
 * The total of one column. With exactly one of several states said as "fewer than 10", the
 * exact total minus the others would give that state's count, so the total is withheld
 * (complementary suppression, as the statistics do). With one state only, the total is that
 * state's own figure and says no more than it.
 */
function columnTotal(counts: readonly bigint[]): PreviewCount | null {
  const hidden = counts.filter((count) => count < BigInt(smallCountMin)).length;
  if (hidden === 1 && counts.length > 1) return null;
  return shown(counts.reduce((sum, count) => sum + count, 0n));
}

function eligibleSet(
  checked: CheckedContent | undefined,
  referenceDate: string,
): RawBuilder<unknown> {
  if (checked === undefined) {
    return sql`select null::uuid as person_id, null::text as region_code where false`;
  }
  // Counts run in SQL only: a rule over a sealed fact is decided after decryption by the
  // cycles' worker pool, which a preview does not open, so it is refused (AMP_RULE_INVALID).
  sqlOnlyCondition(checked.rule, 'f');
  return sql`select e.person_id, e.region_code from (${eligibleRows({ checked, referenceDate })}) as e`;
}

export async function rulePreview(
  db: Kysely<Database>,
  props: {
    /** The version in force, or undefined for a program never published (everyone enters). */
    current: CheckedContent | undefined;
    proposed: CheckedContent;
    /** `YYYY-MM-DD`: the facts as a cycle at this date would read them. */
    referenceDate: string;
  },
): Promise<RulePreview> {
  const result = await sql<{ region_code: string; entering: bigint; leaving: bigint }>`
    with now_in as (${eligibleSet(props.current, props.referenceDate)}),
         next_in as (${eligibleSet(props.proposed, props.referenceDate)})
    select coalesce(n.region_code, c.region_code) as region_code,
           count(*) filter (where c.person_id is null)::int8 as entering,
           count(*) filter (where n.person_id is null)::int8 as leaving
      from next_in n full join now_in c on c.person_id = n.person_id
     where c.person_id is null or n.person_id is null
     group by coalesce(n.region_code, c.region_code)
     order by 1`.execute(db);
  const rows = result.rows.map((row) => ({
    regionCode: row.region_code,
    entering: BigInt(row.entering),
    leaving: BigInt(row.leaving),
  }));
  return {
    byState: rows.map((row) => ({
      regionCode: row.regionCode,
      entering: shown(row.entering),
      leaving: shown(row.leaving),
    })),
    total: {
      entering: columnTotal(rows.map((row) => row.entering)),
      leaving: columnTotal(rows.map((row) => row.leaving)),
    },
  };
}
