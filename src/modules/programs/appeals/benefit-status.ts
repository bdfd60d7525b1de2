import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { readEligibilityFacts } from '../../registry/index.js';
import { type CheckedContent, checkContent, contentOf } from '../program-content.js';
import type { ProgramVersionRow } from '../program-repository.js';
import type { RuleOutcome } from '../rules/rule-evaluator.js';
import { type ClauseExplanation, explainRule } from '../rules/rule-explainer.js';

/**
 * Where one person stands in each published program (issue #13, point 7): "my benefits".
 *
 * Decision (recorded in docs/APPEALS.md): a program with a cycle answers for its **latest
 * cycle** — in when the person holds an entitlement in it or is in its frozen set, out
 * otherwise — and explains it with that cycle's rule version on the person's record at the
 * cycle's reference date. A program with no cycle yet answers by evaluating its published
 * rule today (`basis: 'rule_today'`); nothing can be appealed until a cycle exists, since an
 * upheld appeal grants the entitlement in a cycle.
 *
 * @example
 *   const lines = await benefitStatus(db, personId, new Date());
 */
export interface BenefitLine {
  programId: string;
  code: string;
  name: { es: string; en: string };
  kind: string;
  unit: string;
  /** The rule version explained: the cycle's, or the published one. */
  version: number;
  basis: 'cycle' | 'rule_today';
  cycle: {
    id: string;
    referenceDate: string;
    status: 'computing' | 'computed' | 'approved' | 'published' | 'closed';
  } | null;
  /** In the latest cycle (or eligible today when there is none). */
  included: boolean;
  entitlement: { basis: 'rule' | 'appeal'; status: 'open' | 'ended' } | null;
  outcome: RuleOutcome;
  clauses: ClauseExplanation[];
  /** The first clause that did not pass, in plain es/en, when the person is out. */
  failedClause: ClauseExplanation | null;
  /** An appeal may be filed now: out, a cycle that is not closed, no appeal already filed. */
  appealable: boolean;
  appealId: string | null;
}

type Db = Kysely<Database> | Transaction<Database>;

/** The checked content of a version, kept: a published version never changes. */
const checkedVersions = new Map<string, CheckedContent>();

export function checkedVersion(row: ProgramVersionRow): CheckedContent {
  const key = `${row.program_id}:${row.version}`;
  let checked = checkedVersions.get(key);
  if (checked === undefined) {
    checked = checkContent(contentOf(row));
    checkedVersions.set(key, checked);
  }
  return checked;
}

/** The head-of-household condition of a household program, said like a clause. */
const headClause = (head: boolean): ClauseExplanation => ({
  source: 'head_of_household',
  text: {
    es: 'jefe o jefa de hogar (el beneficio del hogar lo recibe quien lo encabeza)',
    en: 'head of household (the household benefit goes to its head)',
  },
  outcome: head ? 'true' : 'false',
  facts: { head_of_household: head },
});

export function explainFor(checked: CheckedContent, facts: Readonly<Record<string, unknown>>) {
  const explanation = explainRule(checked.rule, facts);
  if (checked.content.unit !== 'household' || explanation.outcome !== 'true') return explanation;
  const head = facts.head_of_household === true;
  if (head) return explanation;
  const clause = headClause(false);
  return {
    outcome: 'false' as const,
    clauses: [...explanation.clauses, clause],
    failedClause: clause,
  };
}

export async function benefitStatus(db: Db, personId: string, today: Date): Promise<BenefitLine[]> {
  const todayText = today.toISOString().slice(0, 10);
  const factsByDate = new Map<string, Record<string, unknown> | undefined>();
  const factsAt = async (date: string) => {
    if (!factsByDate.has(date))
      factsByDate.set(date, await readEligibilityFacts(db, personId, date));
    return factsByDate.get(date);
  };
  const current = await factsAt(todayText);
  if (current === undefined) return [];
  const region = String(current.region_code);
  const programs = await db
    .selectFrom('program as p')
    .innerJoin('program_version as v', (join) =>
      join.onRef('v.program_id', '=', 'p.id').onRef('v.version', '=', 'p.published_version'),
    )
    .selectAll('v')
    .select('p.code')
    .where('p.status', '=', 'published')
    .orderBy('p.code')
    .execute();
  const lines: BenefitLine[] = [];
  for (const program of programs) {
    if (program.regions.length > 0 && !program.regions.includes(region)) continue;
    lines.push(await lineFor(db, personId, program, { todayText, factsAt }));
  }
  return lines;
}

async function lineFor(
  db: Db,
  personId: string,
  program: ProgramVersionRow & { code: string },
  context: {
    todayText: string;
    factsAt: (date: string) => Promise<Record<string, unknown> | undefined>;
  },
): Promise<BenefitLine> {
  const cycle = await db
    .selectFrom('program_cycle')
    .select(['id', 'version', 'reference_date', 'status', 'round'])
    .where('program_id', '=', program.program_id)
    // A round still being computed has no set yet: the person sees the last finished cycle.
    .where('status', '<>', 'computing')
    .orderBy('reference_date', 'desc')
    .limit(1)
    .executeTakeFirst();
  const versionRow =
    cycle === undefined || cycle.version === program.version
      ? program
      : await db
          .selectFrom('program_version')
          .selectAll()
          .where('program_id', '=', program.program_id)
          .where('version', '=', cycle.version)
          .executeTakeFirstOrThrow();
  const referenceDate = cycle === undefined ? context.todayText : dateText(cycle.reference_date);
  const facts = (await context.factsAt(referenceDate)) ?? {};
  const explanation = explainFor(checkedVersion(versionRow), facts);
  const standing = cycle === undefined ? undefined : await cycleStanding(db, personId, cycle);
  const included = standing === undefined ? explanation.outcome === 'true' : standing.included;
  return {
    programId: program.program_id,
    code: program.code,
    name: { es: versionRow.name_es, en: versionRow.name_en },
    kind: versionRow.kind,
    unit: versionRow.unit,
    version: versionRow.version,
    basis: cycle === undefined ? 'rule_today' : 'cycle',
    cycle: cycle === undefined ? null : { id: cycle.id, referenceDate, status: cycle.status },
    included,
    entitlement: standing?.entitlement ?? null,
    outcome: explanation.outcome,
    clauses: explanation.clauses,
    failedClause: included ? null : (explanation.failedClause ?? null),
    appealable:
      cycle !== undefined && cycle.status !== 'closed' && !included && standing?.appealId == null,
    appealId: standing?.appealId ?? null,
  };
}

/** The pool returns a `date` as text; PGlite may return a Date. */
export function dateText(value: unknown): string {
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
}

async function cycleStanding(
  db: Db,
  personId: string,
  cycle: { id: string; status: string; round: number },
): Promise<{
  included: boolean;
  entitlement: BenefitLine['entitlement'];
  appealId: string | null;
}> {
  const entitlement = await db
    .selectFrom('entitlement')
    .select(['basis', 'status'])
    .where('cycle_id', '=', cycle.id)
    .where('person_id', '=', personId)
    .executeTakeFirst();
  const member =
    entitlement === undefined && cycle.status === 'computed'
      ? await db
          .selectFrom('program_cycle_member')
          .select('person_id')
          .where('cycle_id', '=', cycle.id)
          .where('round', '=', cycle.round)
          .where('person_id', '=', personId)
          .executeTakeFirst()
      : undefined;
  const appeal = await db
    .selectFrom('appeal')
    .select('id')
    .where('cycle_id', '=', cycle.id)
    .where('person_id', '=', personId)
    .where('status', '<>', 'closed')
    .executeTakeFirst();
  return {
    included: entitlement !== undefined || member !== undefined,
    entitlement: entitlement ?? null,
    appealId: appeal?.id ?? null,
  };
}
