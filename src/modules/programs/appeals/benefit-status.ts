import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { readEligibilityFacts } from '../../registry/index.js';
import { programLimits } from '../limits.js';
import type { CheckedContent } from '../program-content.js';
import type { ProgramVersionRow } from '../program-repository.js';
import type { RuleOutcome } from '../rules/rule-evaluator.js';
import { type ClauseExplanation, explainRule, factsInWords } from '../rules/rule-explainer.js';
import { evaluableVersion, type StoredVersion, storedVersion } from '../stored-version.js';

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

/** Stored versions checked again, kept: a published version never changes. */
const storedVersions = new Map<string, StoredVersion>();

function keptVersion(row: ProgramVersionRow): StoredVersion {
  const key = `${row.program_id}:${row.version}`;
  let stored = storedVersions.get(key);
  if (stored === undefined) {
    stored = storedVersion(row);
    if (storedVersions.size >= programLimits.versionCacheEntriesMax) storedVersions.clear();
    storedVersions.set(key, stored);
  }
  return stored;
}

/**
 * The checked content of a version, or the refusal of one that needs a new version
 * (`stored-version.ts`).
 */
export function checkedVersion(row: ProgramVersionRow): CheckedContent {
  const stored = keptVersion(row);
  return stored.problem === null ? stored.checked : evaluableVersion(row);
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
  factWords: factsInWords({ head_of_household: head }),
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

/** Where the per-person explanation may open sealed facts (app.ts passes the master key). */
export interface SealedFactsKey {
  masterKey: Buffer;
}

/**
 * Two queries in the usual case (issue #13 performance: p99 ≤ 20 ms): one over the programs'
 * own tables for every published program with its latest finished cycle and the person's
 * standing in it, then the person's facts once per reference date (one date when the cycles
 * share it). Versions are immutable, so their rows and checked rules are kept in memory.
 * With `sealed`, the sealed facts the rules read are opened, so the explanation decides them
 * as the batch's workers do; the caller audits them (`personBenefits`).
 */
export async function benefitStatus(
  db: Db,
  personId: string,
  today: Date,
  sealed?: SealedFactsKey,
): Promise<BenefitLine[]> {
  const todayText = today.toISOString().slice(0, 10);
  const standings = await programStandings(db, personId);
  const lines: Array<{
    standing: StandingRow;
    published: ProgramVersionRow;
    row: ProgramVersionRow;
  }> = [];
  for (const standing of standings) {
    const published = await versionRow(db, standing.program_id, standing.published_version);
    const row =
      standing.cycle_version === null
        ? published
        : await versionRow(db, standing.program_id, standing.cycle_version);
    // A version that no longer passes the rule checks is left out: it cannot be explained,
    // and it must not stop the person's other programs from answering.
    if (keptVersion(row).problem === null) lines.push({ standing, published, row });
  }
  const names = [
    ...new Set(lines.flatMap((line) => checkedVersion(line.row).rule.sealedVariables)),
  ];
  const factsByDate = new Map<string, Record<string, unknown> | undefined>();
  const factsAt = async (date: string) => {
    if (!factsByDate.has(date)) {
      const opened = sealed === undefined ? undefined : { masterKey: sealed.masterKey, names };
      factsByDate.set(date, await readEligibilityFacts(db, personId, date, opened));
    }
    return factsByDate.get(date);
  };
  const firstDate =
    lines[0]?.standing.reference_date == null
      ? todayText
      : dateText(lines[0].standing.reference_date);
  // The region is the person's current one whatever the date: any date's facts tell it.
  const current = await factsAt(firstDate);
  if (current === undefined) return [];
  const region = String(current.region_code);
  const answer: BenefitLine[] = [];
  for (const line of lines) {
    if (line.published.regions.length > 0 && !line.published.regions.includes(region)) continue;
    answer.push(await lineFor(line, { todayText, factsAt }));
  }
  return answer;
}

/** A published program, its latest finished cycle and the person's standing in it. */
interface StandingRow {
  program_id: string;
  code: string;
  published_version: number;
  cycle_id: string | null;
  cycle_version: number | null;
  reference_date: unknown;
  cycle_status: 'computed' | 'approved' | 'published' | 'closed' | null;
  entitlement_basis: 'rule' | 'appeal' | null;
  entitlement_status: 'open' | 'ended' | null;
  member: boolean;
  appeal_id: string | null;
}

async function programStandings(db: Db, personId: string): Promise<StandingRow[]> {
  // A round still being computed has no set yet: the person sees the last finished cycle.
  const result = await sql<StandingRow>`
    select p.id as program_id, p.code, p.published_version,
           c.id as cycle_id, c.version as cycle_version, c.reference_date, c.status as cycle_status,
           e.basis as entitlement_basis, e.status as entitlement_status,
           (m.person_id is not null) as member, a.id as appeal_id
      from program p
      left join lateral (
        select x.id, x.version, x.reference_date, x.status, x.round from program_cycle x
         where x.program_id = p.id and x.status <> 'computing'
         order by x.reference_date desc limit 1) c on true
      left join entitlement e on e.cycle_id = c.id and e.person_id = ${personId}::uuid
      left join program_cycle_member m
        on e.person_id is null and c.status = 'computed'
       and m.cycle_id = c.id and m.round = c.round and m.person_id = ${personId}::uuid
      left join lateral (
        select y.id from appeal y
         where y.cycle_id = c.id and y.person_id = ${personId}::uuid and y.status <> 'closed'
         limit 1) a on true
     where p.status = 'published' and p.published_version is not null
     order by p.code`.execute(db);
  return result.rows;
}

/** Version rows, kept: a version never changes once written (a trigger refuses it). */
const versionRows = new Map<string, ProgramVersionRow>();

async function versionRow(db: Db, programId: string, version: number): Promise<ProgramVersionRow> {
  const key = `${programId}:${version}`;
  const kept = versionRows.get(key);
  if (kept !== undefined) return kept;
  const row = await db
    .selectFrom('program_version')
    .selectAll()
    .where('program_id', '=', programId)
    .where('version', '=', version)
    .executeTakeFirstOrThrow();
  if (versionRows.size >= programLimits.versionCacheEntriesMax) versionRows.clear();
  versionRows.set(key, row);
  return row;
}

function lineFor(
  line: { standing: StandingRow; row: ProgramVersionRow },
  context: {
    todayText: string;
    factsAt: (date: string) => Promise<Record<string, unknown> | undefined>;
  },
): Promise<BenefitLine> {
  const { standing, row } = line;
  const hasCycle = standing.cycle_id !== null;
  const referenceDate = hasCycle ? dateText(standing.reference_date) : context.todayText;
  return context.factsAt(referenceDate).then((found) => {
    const explanation = explainFor(checkedVersion(row), found ?? {});
    const entitlement =
      standing.entitlement_basis === null || standing.entitlement_status === null
        ? null
        : { basis: standing.entitlement_basis, status: standing.entitlement_status };
    const included = hasCycle
      ? entitlement !== null || standing.member
      : explanation.outcome === 'true';
    return {
      programId: standing.program_id,
      code: standing.code,
      name: { es: row.name_es, en: row.name_en },
      kind: row.kind,
      unit: row.unit,
      version: row.version,
      basis: hasCycle ? 'cycle' : 'rule_today',
      cycle:
        standing.cycle_id === null || standing.cycle_status === null
          ? null
          : { id: standing.cycle_id, referenceDate, status: standing.cycle_status },
      included,
      entitlement,
      outcome: explanation.outcome,
      clauses: explanation.clauses,
      failedClause: included ? null : (explanation.failedClause ?? null),
      appealable:
        hasCycle && standing.cycle_status !== 'closed' && !included && standing.appeal_id === null,
      appealId: standing.appeal_id,
    };
  });
}

/** The pool returns a `date` as text; PGlite may return a Date. */
export function dateText(value: unknown): string {
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
}
