import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { eligibilityFactsRelation, sealedFactsReadEntry } from '../../registry/index.js';
import {
  type CandidateRow,
  requireSealed,
  type SealedDeciding,
  selectEligibleRows,
} from '../eligibility/sealed-decider.js';
import { programLimits } from '../limits.js';
import type { CheckedContent } from '../program-content.js';
import { ProgramsError } from '../programs-error.js';
import { canOverflow, refusingOverflow } from '../rules/rule-overflow.js';
import { planFormula, planRule } from '../rules/rule-plan.js';
import { compileFormula } from '../rules/rule-sql.js';

/** Which persons a round (or one chunk of it) is computed over. */
export interface RoundScope {
  cycleId: string;
  round: number;
  referenceDate: string;
  checked: CheckedContent;
  /** One chunk of the person-id space; absent: everyone. */
  personIdRange?: { from: string; to: string | undefined };
  /** The sealed-fact pool and audit, for a rule over sealed facts (rule-plan.ts). */
  sealed?: SealedDeciding;
  /** The round's household counts computed once (cycle-household-counts.ts), for a chunk. */
  householdCounts?: RawBuilder<unknown>;
}

/**
 * The rows of a round or chunk that the SQL part of the rule selects: beneficiary, state and
 * amount; for a rule over sealed facts also the facts and ciphertext the workers decide on.
 */
export function eligibleRows(
  props: Omit<RoundScope, 'cycleId' | 'round'> & {
    /** Without the amount column: the rule alone is evaluated (its overflow check). */
    withoutAmount?: boolean;
    /** With `residence_municipality`, read from the facts' own version (a member's row). */
    withMunicipality?: boolean;
  },
): RawBuilder<CandidateRow> {
  return selectedFrom(
    sql`(${factsInRegions(props)})`,
    props.checked,
    props.withoutAmount === true,
    props.withMunicipality === true,
  );
}

/**
 * The facts of the persons in scope who live in the program's regions: everyone a round (or
 * chunk) considers, before the rule and the unit narrow them.
 */
function factsInRegions(
  props: Omit<RoundScope, 'cycleId' | 'round'> & { withMunicipality?: boolean },
): RawBuilder<unknown> {
  const { content, rule } = props.checked;
  const plan = planRule(rule);
  const facts = eligibilityFactsRelation({
    referenceDate: props.referenceDate,
    withSealed: plan.needsWorkers,
    only: [
      ...rule.variables,
      ...(props.checked.formula?.variables ?? []),
      ...(content.unit === 'household' ? ['head_of_household'] : []),
    ],
    ...(props.personIdRange === undefined ? {} : { personIdRange: props.personIdRange }),
    ...(props.householdCounts === undefined ? {} : { householdCounts: props.householdCounts }),
    ...(props.withMunicipality === true ? { withMunicipality: true } : {}),
  });
  const inRegions =
    content.regions.length === 0
      ? sql`true`
      : sql`f.region_code in (${sql.join(content.regions.map((region) => sql`${region}`))})`;
  return sql`select f.* from ${facts} as f where ${inRegions}`;
}

/** The rule's rows, with their amounts, among the facts `considered` (a relation named `f`). */
function selectedFrom(
  considered: RawBuilder<unknown>,
  checked: CheckedContent,
  withoutAmount: boolean,
  withMunicipality: boolean,
): RawBuilder<CandidateRow> {
  const plan = planRule(checked.rule);
  const unit = checked.content.unit === 'household' ? sql`f.head_of_household` : sql`true`;
  const columns = plan.needsWorkers
    ? sql`f.*, `
    : withMunicipality
      ? sql`f.person_id, f.region_code, f.residence_municipality, `
      : sql`f.person_id, f.region_code, `;
  const amount = withoutAmount ? sql`null::int8` : amountSql(checked);
  return sql<CandidateRow>`select ${columns}${amount} as amount_minor
      from ${considered} as f
     where ${unit} and ${plan.sqlCondition('f')}`;
}

/** The sealed step of a round's chunk, when its rule has one. */
function sealedStep(props: Omit<RoundScope, 'round'> & { round?: number }, what: string) {
  const plan = planRule(props.checked.rule);
  const deps = requireSealed(plan, props.sealed);
  if (deps === undefined) return undefined;
  const chunk = props.personIdRange?.from.slice(0, 4) ?? 'all';
  return {
    deps,
    plan,
    job: `cycle:${props.cycleId}`,
    requestId: `cycle:${props.cycleId}:round:${props.round ?? 0}:${what}:${chunk}`,
    // Audited before the transaction (a chunk's in cycle-run.ts, the checks' in
    // `auditComputationChecks`): appending inside it would wait for the audit log's own
    // transaction on a one-connection PGlite.
    audited: true,
  };
}

/**
 * Computes one round of a cycle's eligible set (or one chunk of it) in the database, in one
 * INSERT … SELECT: the compiled rule over the registry's facts at the reference date,
 * narrowed to the program's regions (and to heads of household for a household program),
 * with each beneficiary's amount. Runs inside the caller's transaction, so a chunk is wholly
 * written or not at all. Members are written in person-id order: the grant reads them back by
 * person-id range, and reads the table's pages in order instead of one page per member.
 * The same statement records how many persons the chunk considered, by area, from the same
 * facts (`considered`): the chunk's persons are read once.
 */
export async function insertRound(trx: Transaction<Database>, props: RoundScope): Promise<void> {
  const sealed = sealedStep(props, 'members');
  // The municipality is recorded for aggregate statistics only (coverage by municipality,
  // migration 0049), read from the version the facts already joined: a lookup of the person
  // and its version per member cost two more index probes and heap visits a member.
  const considered = consideredFacts(props);
  const rows = selectedFrom(sql`considered`, props.checked, false, true);
  if (sealed === undefined) {
    await sql`${considered} insert into program_cycle_member (cycle_id, round, person_id, region_code, amount_minor, municipality_code)
      select ${props.cycleId}::uuid, ${props.round}::int, e.person_id, e.region_code, e.amount_minor, e.residence_municipality
        from (${rows}) as e order by e.person_id`.execute(trx);
  } else {
    // Only ids, states, municipalities and amounts are written: the opened facts stayed in
    // the workers. The counts were written by the statement that read the candidates.
    const eligible = await selectEligibleRows(
      trx,
      sql<CandidateRow>`${considered} ${rows}`,
      sealed,
    );
    await sql`insert into program_cycle_member (cycle_id, round, person_id, region_code, amount_minor, municipality_code)
      select ${props.cycleId}::uuid, ${props.round}::int, e.person_id, e.region_code, e.amount_minor, e.residence_municipality
        from unnest(${eligible.map((row) => row.person_id)}::uuid[],
                    ${eligible.map((row) => String(row.region_code))}::text[],
                    ${eligible.map((row) => (row.amount_minor === null ? null : String(row.amount_minor)))}::int8[],
                    ${eligible.map((row) => (row.residence_municipality ?? null) as string | null)}::text[])
          as e(person_id, region_code, amount_minor, residence_municipality) order by e.person_id`.execute(
      trx,
    );
  }
  if (props.checked.formula !== undefined) {
    await refuseFailedAmounts(trx, props.cycleId, props.round);
  }
}

/**
 * The `with` clause that reads a round's chunk once: `considered`, the facts of the active
 * persons in the program's regions, which the statement it heads selects the members from;
 * and the record of what the chunk considered (migration 0083, issue #17: coverage's
 * "enrolled"), those persons counted by the state and municipality they live in. One read
 * serves both, so every member is among the persons counted for its area (eligible ≤
 * enrolled), sealed rules included. Until this, the count read the chunk's persons and their
 * versions a second time.
 */
function consideredFacts(props: RoundScope): RawBuilder<unknown> {
  const chunkFrom = props.personIdRange?.from ?? '00000000-0000-0000-0000-000000000000';
  return sql`with considered as materialized (${factsInRegions({ ...props, withMunicipality: true })}),
    counted as (
      insert into program_cycle_area_count (cycle_id, round, chunk_from, region_code, municipality_code, persons)
      select ${props.cycleId}::uuid, ${props.round}::int, ${chunkFrom}::uuid, c.region_code,
             coalesce(c.residence_municipality, ''), count(*)::int
        from considered as c
       group by c.region_code, coalesce(c.residence_municipality, ''))`;
}

/**
 * Refuses, before anything is written, a rule that overflows (`AMP_RULE_FAILED`) or a formula
 * that gives no amount (`AMP_FORMULA_FAILED`) for someone the rule selects now: one pass over
 * everyone for each that can fail, so a cycle that cannot be computed is never started. A rule
 * without arithmetic cannot overflow and is not run here (rule-overflow.ts).
 */
export async function refuseFailingComputation(
  trx: Transaction<Database>,
  props: Omit<RoundScope, 'round'>,
): Promise<void> {
  if (canOverflow(props.checked.rule)) {
    await refusingOverflow('rule', () => runRuleOnce(trx, props));
  }
  if (props.checked.formula === undefined) return;
  // The rule ran without overflowing just above (or cannot): an overflow now is the formula's.
  await refusingOverflow('formula', () => countFailingAmounts(trx, props));
}

/**
 * For a rule over sealed facts, the audit entry of the reads `refuseFailingComputation` will
 * make (the rule's overflow check, the formula's amounts), appended before its transaction as
 * the registry requires of a sealed read; nothing when those checks read no sealed fact.
 */
export async function auditComputationChecks(
  props: Omit<RoundScope, 'round'> & { round: number },
): Promise<void> {
  const plan = planRule(props.checked.rule);
  if (props.sealed === undefined || !plan.needsWorkers) return;
  if (!canOverflow(props.checked.rule) && props.checked.formula === undefined) return;
  await props.sealed.audit.append(
    sealedFactsReadEntry({
      job: `cycle:${props.cycleId}`,
      fields: plan.described.sealedFacts,
      persons: null,
      requestId: `cycle:${props.cycleId}:round:${props.round}:checks`,
    }),
  );
}

/** Evaluates the rule over everyone in scope, for its overflow only (workers included). */
async function runRuleOnce(
  trx: Transaction<Database>,
  props: Omit<RoundScope, 'round'>,
): Promise<void> {
  const rows = eligibleRows({ ...props, withoutAmount: true });
  const sealed = sealedStep(props, 'rule');
  if (sealed !== undefined) {
    await selectEligibleRows(trx, rows, sealed);
    return;
  }
  await sql`select count(*) from (${rows}) as e`.execute(trx);
}

async function countFailingAmounts(
  trx: Transaction<Database>,
  props: Omit<RoundScope, 'round'>,
): Promise<void> {
  const sealed = sealedStep(props, 'formula');
  if (sealed !== undefined) {
    // The workers decide only the candidates without an amount: usually none.
    const failing = sql<CandidateRow>`select * from (${eligibleRows(props)}) as e
      where e.amount_minor is null`;
    failedAmounts(BigInt((await selectEligibleRows(trx, failing, sealed)).length));
    return;
  }
  const result = await sql<{ failed: bigint }>`select count(*)::int8 as failed
      from (${eligibleRows(props)}) as e where e.amount_minor is null`.execute(trx);
  failedAmounts(BigInt(result.rows[0]?.failed ?? 0));
}

function failedAmounts(count: bigint): void {
  if (count > 0n) {
    throw new ProgramsError(
      'AMP_FORMULA_FAILED',
      `The benefit formula gives no amount (division by zero, an unknown fact, below zero or above ${programLimits.amountMinorMax}) for ${count} eligible persons; nothing was written`,
    );
  }
}

/** The amount column: fixed, by formula (NULL where it fails or is negative), or none. */
function amountSql(checked: CheckedContent): RawBuilder<unknown> {
  const { benefit } = checked.content;
  if ('amountMinor' in benefit) return sql`${benefit.amountMinor.toString()}::int8`;
  if (checked.formula === undefined) return sql`null::int8`;
  const amount = compileFormula(planFormula(checked.formula).rule, 'f');
  // Above the largest amount (the bound on fixed amounts and caps) is a failure like below
  // zero: a cycle's total then stays far from int8's range, and nobody is paid an absurd sum.
  const max = sql`${programLimits.amountMinorMax.toString()}::int8`;
  return sql`(case when ${amount} between 0 and ${max} then ${amount} end)`;
}

async function refuseFailedAmounts(
  trx: Transaction<Database>,
  cycleId: string,
  round: number,
): Promise<void> {
  const failed = await trx
    .selectFrom('program_cycle_member')
    .select((eb) => eb.fn.countAll<bigint>().as('failed'))
    .where('cycle_id', '=', cycleId)
    .where('round', '=', round)
    .where('amount_minor', 'is', null)
    .executeTakeFirst();
  failedAmounts(BigInt(failed?.failed ?? 0));
}

/** Counts and totals by state of one round: what approvers see. */
export interface RoundSummary {
  eligible: bigint;
  totalMinor: bigint;
  byState: Array<{ regionCode: string; eligible: bigint; totalMinor: bigint }>;
}

export async function summariseRound(
  trx: Transaction<Database> | Kysely<Database>,
  cycleId: string,
  round: number,
): Promise<RoundSummary> {
  const rows = await trx
    .selectFrom('program_cycle_member')
    .select((eb) => [
      'region_code',
      eb.fn.countAll<bigint>().as('eligible'),
      // As numeric, as text: a sum of many large amounts may pass int8's range, and the
      // caller compares it with the cap (AMP_BUDGET_EXCEEDED) rather than failing here.
      sql<string>`coalesce(sum(amount_minor), 0)::numeric::text`.as('total'),
    ])
    .where('cycle_id', '=', cycleId)
    .where('round', '=', round)
    .groupBy('region_code')
    .orderBy('region_code')
    .execute();
  const byState = rows.map((row) => ({
    regionCode: row.region_code,
    eligible: BigInt(row.eligible),
    totalMinor: BigInt(row.total),
  }));
  return {
    eligible: byState.reduce((sum, state) => sum + state.eligible, 0n),
    totalMinor: byState.reduce((sum, state) => sum + state.totalMinor, 0n),
    byState,
  };
}

/** Who entered and who left between two rounds, counted by state (never a list of persons). */
export interface RoundDiff {
  entered: Array<{ regionCode: string; count: bigint }>;
  left: Array<{ regionCode: string; count: bigint }>;
}

/** One frozen set: a round of a cycle. */
export interface RoundRef {
  cycleId: string;
  round: number;
}

export async function diffRounds(
  trx: Transaction<Database> | Kysely<Database>,
  cycleId: string,
  from: number,
  to: number,
): Promise<RoundDiff> {
  return diffSets(trx, { cycleId, round: from }, { cycleId, round: to });
}

/** The difference between two frozen sets, of one cycle or of two (the previous cycle's). */
export async function diffSets(
  trx: Transaction<Database> | Kysely<Database>,
  from: RoundRef,
  to: RoundRef,
): Promise<RoundDiff> {
  const side = async (present: RoundRef, absent: RoundRef) => {
    const result = await sql<{ region_code: string; count: bigint }>`
      select m.region_code, count(*)::int8 as count from program_cycle_member m
       where m.cycle_id = ${present.cycleId} and m.round = ${present.round}
         and not exists (select 1 from program_cycle_member o
                          where o.cycle_id = ${absent.cycleId} and o.round = ${absent.round}
                            and o.person_id = m.person_id)
       group by m.region_code order by m.region_code`.execute(trx);
    return result.rows.map((row) => ({ regionCode: row.region_code, count: BigInt(row.count) }));
  };
  return { entered: await side(to, from), left: await side(from, to) };
}
