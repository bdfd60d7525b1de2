import { createHmac, randomBytes } from 'node:crypto';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { listStates } from '../../geography/index.js';
import { eligibleRows } from '../cycles/cycle-members.js';
import type { CheckedContent } from '../program-content.js';
import { refusingOverflow } from '../rules/rule-overflow.js';
import { planRule, sqlOnlyCondition } from '../rules/rule-plan.js';
import {
  type CellCount,
  type ChangedCells,
  keyModulus,
  type PreviewSealed,
  sealedChangedCells,
} from './sealed-rule-preview.js';

/**
 * Before a rule change is published (issue #13, point 6): how many would enter and how many
 * would leave, by state, as aggregates only. Both sets come from the cycles' own batch
 * evaluator (`eligibleRows`: the compiled rule over the registry's facts, the program's
 * regions, heads of household for a household program), so the preview says what the next
 * cycle would do. A rule over clear facts is one statement; a rule over a sealed fact is
 * decided chunk by chunk by the sealed-fact worker pool, as the sealed batch count is
 * (sealed-rule-preview.ts). No person is ever listed.
 *
 * The counts are protected so that previews are not a differencing oracle (docs/ARCHITECTURE.md,
 * safeguard 8: aggregates only). An officer could save two draft rules that differ only by one
 * person's attribute values (`… && !(birth_year == 1961 && income_band == 1)`) and compare
 * their previews; exact counts would then say whether that person exists and has those
 * values. So:
 *
 * - every state of the program's scope is listed, with or without changes (a state that
 *   appears only when someone in it changes is itself an answer);
 * - a count under `smallCountMin` (0 included) is given as "fewer than 10";
 * - a larger count is rounded to a multiple of `countBase` by unbiased random rounding whose
 *   randomness is the set's own cell key (the sum of a keyed hash of each counted person, as
 *   the Australian Bureau of Statistics' TableBuilder does): the same set always gives the same
 *   answer, so asking again, or with the rule written another way, averages nothing out, while
 *   a set one person larger gets an independent rounding. Two previews of rules that differ by
 *   one person are equal most of the time and otherwise differ by one step of `countBase`, which
 *   a set that differs by no one but is rounded the other way would also show;
 * - a total that, with exactly one of several states under 10, would let that state be worked
 *   out from the others is withheld (complementary suppression).
 *
 * The hash key is derived from the master key (`previewCellKeySecret`), so nobody without it can
 * compute a person's contribution.
 *
 * @example
 *   await rulePreview(db, { current, proposed, referenceDate: '2026-12-01', secret });
 *   // { byState: [{ regionCode: 'VE-A', entering: { fewerThan: 10 }, leaving: { count: 40 } }, …],
 *   //   total: { entering: { count: 1215 }, leaving: { count: 40 } } }
 */
export const smallCountMin = 10;
/** Counts of 10 and more are shown as multiples of this. */
export const countBase = 5;

export type PreviewCount = { count: number } | { fewerThan: number };

export interface RulePreview {
  byState: Array<{ regionCode: string; entering: PreviewCount; leaving: PreviewCount }>;
  /** Over every state; null where it would let the one hidden state be worked out. */
  total: { entering: PreviewCount | null; leaving: PreviewCount | null };
}

/** The secret of the cell keys: derived from the master key, or random for this process. */
export function previewCellKeySecret(masterKey: Buffer | undefined): string {
  const key = masterKey ?? randomBytes(32);
  return createHmac('sha256', key).update('amparo.programs.preview.cell-key.v1').digest('hex');
}

export type { CellCount } from './sealed-rule-preview.js';

/**
 * The count as shown: under `smallCountMin` hidden; otherwise rounded down to a multiple of
 * `countBase`, or up with probability (remainder / base), the draw being the cell key.
 */
export function protectedCount(cell: CellCount): PreviewCount {
  if (cell.count < BigInt(smallCountMin)) return { fewerThan: smallCountMin };
  const base = BigInt(countBase);
  const remainder = cell.count % base;
  const down = cell.count - remainder;
  // key / 2^32 < remainder / base  ⇔  key * base < remainder * 2^32
  const up = (cell.key % keyModulus) * base < remainder * keyModulus;
  return { count: Number(up ? down + base : down) };
}

function sumCells(cells: readonly CellCount[]): CellCount {
  return cells.reduce(
    (sum, cell) => ({ count: sum.count + cell.count, key: (sum.key + cell.key) % keyModulus }),
    { count: 0n, key: 0n },
  );
}

/**
 * The total of one column. With exactly one of several states said as "fewer than 10", the
 * total minus the others would bound that state's count, so the total is withheld
 * (complementary suppression, as the statistics do). With one state only, the total is that
 * state's own figure and says no more than it.
 */
function columnTotal(cells: readonly CellCount[]): PreviewCount | null {
  const hidden = cells.filter((cell) => cell.count < BigInt(smallCountMin)).length;
  if (hidden === 1 && cells.length > 1) return null;
  return protectedCount(sumCells(cells));
}

function eligibleSet(
  checked: CheckedContent | undefined,
  referenceDate: string,
): RawBuilder<unknown> {
  if (checked === undefined) {
    return sql`select null::uuid as person_id, null::text as region_code where false`;
  }
  return sql`select e.person_id, e.region_code from (${eligibleRows({ checked, referenceDate, withoutAmount: true })}) as e`;
}

/** The states a preview lists: the program's (either version's), or every state if national. */
function statesInScope(current: CheckedContent | undefined, proposed: CheckedContent): string[] {
  const versions = current === undefined ? [proposed] : [current, proposed];
  if (versions.some((version) => version.content.regions.length === 0)) {
    return listStates().map((state) => state.code);
  }
  return [...new Set(versions.flatMap((version) => version.content.regions))];
}

export interface PreviewProps {
  /** The version in force, or undefined for a program never published (everyone enters). */
  current: CheckedContent | undefined;
  proposed: CheckedContent;
  /** `YYYY-MM-DD`: the facts as a cycle at this date would read them. */
  referenceDate: string;
  /** The cell keys' secret (`previewCellKeySecret`). */
  secret: string;
  /**
   * The sealed-fact pool and audit, for a version whose rule reads a sealed fact: its sets are
   * then computed as the sealed batch count does (sealed-rule-preview.ts). Without it such a
   * rule is refused (`rule_sealed_sql_only`): there is no key to open the facts with.
   */
  sealed?: PreviewSealed;
}

export async function rulePreview(db: Kysely<Database>, props: PreviewProps): Promise<RulePreview> {
  const versions = [props.current, props.proposed].flatMap((version) => version ?? []);
  const sealedVersion = versions.find((version) => planRule(version.rule).needsWorkers);
  let cells: Map<string, ChangedCells>;
  if (sealedVersion === undefined) {
    cells = await sqlChangedCells(db, props);
  } else if (props.sealed === undefined) {
    // No key to open the sealed facts with: refused as a SQL-only view (AMP_RULE_INVALID).
    sqlOnlyCondition(sealedVersion.rule, 'f');
    throw new Error('unreachable: a rule over a sealed fact is refused above');
  } else {
    cells = await sealedChangedCells(db, { ...props, sealed: props.sealed });
  }
  const states = [
    ...new Set([...statesInScope(props.current, props.proposed), ...cells.keys()]),
  ].sort();
  const none = { count: 0n, key: 0n };
  const rows = states.map((regionCode) => ({
    regionCode,
    entering: cells.get(regionCode)?.entering ?? none,
    leaving: cells.get(regionCode)?.leaving ?? none,
  }));
  return {
    byState: rows.map((row) => ({
      regionCode: row.regionCode,
      entering: protectedCount(row.entering),
      leaving: protectedCount(row.leaving),
    })),
    total: {
      entering: columnTotal(rows.map((row) => row.entering)),
      leaving: columnTotal(rows.map((row) => row.leaving)),
    },
  };
}

/** Rules over clear facts: both sets compared in one statement; no id leaves the database. */
async function sqlChangedCells(
  db: Kysely<Database>,
  props: PreviewProps,
): Promise<Map<string, ChangedCells>> {
  const query = sql<{
    region_code: string;
    entering: string;
    leaving: string;
    entering_key: string;
    leaving_key: string;
  }>`
    with now_in as (${eligibleSet(props.current, props.referenceDate)}),
         next_in as (${eligibleSet(props.proposed, props.referenceDate)}),
         changed as (
           select coalesce(n.region_code, c.region_code) as region_code,
                  c.person_id is null as entering,
                  ('x' || substr(md5(${props.secret} || coalesce(n.person_id, c.person_id)::text), 1, 8))::bit(32)::int8 as cell_key
             from next_in n full join now_in c on c.person_id = n.person_id
            where c.person_id is null or n.person_id is null)
    select region_code,
           count(*) filter (where entering)::text as entering,
           count(*) filter (where not entering)::text as leaving,
           coalesce(sum(cell_key) filter (where entering), 0)::text as entering_key,
           coalesce(sum(cell_key) filter (where not entering), 0)::text as leaving_key
      from changed
     group by region_code`;
  // A rule whose arithmetic overflows for someone is refused clearly (AMP_RULE_FAILED).
  const result = await refusingOverflow('rule', () => query.execute(db));
  return new Map(
    result.rows.map((row) => [
      row.region_code,
      {
        entering: { count: BigInt(row.entering), key: BigInt(row.entering_key) },
        leaving: { count: BigInt(row.leaving), key: BigInt(row.leaving_key) },
      },
    ]),
  );
}
