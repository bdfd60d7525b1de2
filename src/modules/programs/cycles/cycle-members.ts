import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { eligibilityFactsRelation } from '../../registry/index.js';
import type { CheckedContent } from '../program-content.js';
import { ProgramsError } from '../programs-error.js';
import { planRule } from '../rules/rule-plan.js';
import { compileFormula, compileRule } from '../rules/rule-sql.js';

/** Which persons a round (or one chunk of it) is computed over. */
export interface RoundScope {
  cycleId: string;
  round: number;
  referenceDate: string;
  checked: CheckedContent;
  /** One chunk of the person-id space; absent: everyone. */
  personIdRange?: { from: string; to: string | undefined };
}

/** The eligible rows of a round or chunk: beneficiary, state and amount, by the rule. */
function eligibleRows(props: Omit<RoundScope, 'cycleId' | 'round'>): RawBuilder<unknown> {
  const { content, rule } = props.checked;
  const facts = eligibilityFactsRelation({
    referenceDate: props.referenceDate,
    ...(props.personIdRange === undefined ? {} : { personIdRange: props.personIdRange }),
  });
  const inRegions =
    content.regions.length === 0
      ? sql`true`
      : sql`f.region_code in (${sql.join(content.regions.map((region) => sql`${region}`))})`;
  const unit = content.unit === 'household' ? sql`f.head_of_household` : sql`true`;
  return sql`select f.person_id, f.region_code, ${amountSql(props.checked)} as amount_minor
      from ${facts} as f
     where ${inRegions} and ${unit} and ${compileRule(planRule(rule).sql, 'f')}`;
}

/**
 * Computes one round of a cycle's eligible set (or one chunk of it) in the database, in one
 * INSERT … SELECT: the compiled rule over the registry's facts at the reference date,
 * narrowed to the program's regions (and to heads of household for a household program),
 * with each beneficiary's amount. Runs inside the caller's transaction, so a chunk is wholly
 * written or not at all.
 */
export async function insertRound(trx: Transaction<Database>, props: RoundScope): Promise<void> {
  await sql`insert into program_cycle_member (cycle_id, round, person_id, region_code, amount_minor)
    select ${props.cycleId}::uuid, ${props.round}::int, e.person_id, e.region_code, e.amount_minor
      from (${eligibleRows(props)}) as e`.execute(trx);
  if (props.checked.formula !== undefined) {
    await refuseFailedAmounts(trx, props.cycleId, props.round);
  }
}

/**
 * Refuses, before anything is written, a formula that gives no amount for someone the rule
 * selects now: one pass over everyone, so a cycle whose formula fails is never started.
 */
export async function refuseFailingFormula(
  trx: Transaction<Database>,
  props: Omit<RoundScope, 'cycleId' | 'round'>,
): Promise<void> {
  if (props.checked.formula === undefined) return;
  const result = await sql<{ failed: bigint }>`select count(*)::int8 as failed
      from (${eligibleRows(props)}) as e where e.amount_minor is null`.execute(trx);
  failedAmounts(BigInt(result.rows[0]?.failed ?? 0));
}

function failedAmounts(count: bigint): void {
  if (count > 0n) {
    throw new ProgramsError(
      'AMP_FORMULA_FAILED',
      `The benefit formula gives no amount (division by zero, an unknown fact, or below zero) for ${count} eligible persons; nothing was written`,
    );
  }
}

/** The amount column: fixed, by formula (NULL where it fails or is negative), or none. */
function amountSql(checked: CheckedContent): RawBuilder<unknown> {
  const { benefit } = checked.content;
  if ('amountMinor' in benefit) return sql`${benefit.amountMinor.toString()}::int8`;
  if (checked.formula === undefined) return sql`null::int8`;
  const amount = compileFormula(planRule(checked.formula).sql, 'f');
  return sql`(case when ${amount} >= 0 then ${amount} end)`;
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
      sql<bigint>`coalesce(sum(amount_minor), 0)::int8`.as('total'),
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
