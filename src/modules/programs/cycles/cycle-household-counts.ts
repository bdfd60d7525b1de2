import { type RawBuilder, sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { householdCountFacts, householdCountsRelation } from '../../registry/index.js';
import { programLimits } from '../limits.js';
import type { CheckedContent } from '../program-content.js';

/**
 * A round's household counts, computed once (migration 0042). A rule or formula that reads a
 * household count needs, for each person, the household's other members, who lie in other
 * chunks of the person-id space: counted per chunk, every chunk read every person and
 * membership. Instead the first chunk's transaction writes every household's counts at the
 * reference date, each chunk joins them, and the last chunk's transaction removes them.
 *
 * @example
 *   if (readsHouseholdCounts(checked)) await writeHouseholdCounts(trx, round);
 *   insertRound(trx, { ...scope, householdCounts: householdCountsOf(round) });
 */
export interface CountedRound {
  cycleId: string;
  round: number;
  referenceDate: string;
}

/** True when the rule or the benefit formula reads a household count. */
export function readsHouseholdCounts(checked: CheckedContent): boolean {
  const read = [...checked.rule.variables, ...(checked.formula?.variables ?? [])];
  return householdCountFacts.some((name) => read.includes(name));
}

/**
 * Writes every household's counts for the round, in one pass over the registry: one statement
 * under its own limit (`limits.programs.householdCountsStatementMs`), set for this transaction.
 */
export async function writeHouseholdCounts(
  trx: Transaction<Database>,
  round: CountedRound,
): Promise<void> {
  const counts = householdCountsRelation({ referenceDate: round.referenceDate });
  const before = await sql<{
    value: string;
  }>`select current_setting('statement_timeout') as value`.execute(trx);
  await setStatementLimit(trx, `${programLimits.householdCountsStatementMs}ms`);
  await sql`insert into program_cycle_household (cycle_id, round, household_id, household_size,
              members_under_5, members_under_18, members_over_65)
    select ${round.cycleId}::uuid, ${round.round}::int, c.household_id, c.household_size,
           c.members_under_5, c.members_under_18, c.members_over_65
      from ${counts} as c`.execute(trx);
  // The chunk that follows, in the same transaction, is held to the session's limit again.
  await setStatementLimit(trx, before.rows[0]?.value ?? '0');
}

/** For the rest of the transaction only (`set local`). */
async function setStatementLimit(trx: Transaction<Database>, limit: string): Promise<void> {
  await sql`select set_config('statement_timeout', ${limit}, true)`.execute(trx);
}

/** The round's counts as the relation `eligibilityFactsRelation` joins (`householdCounts`). */
export function householdCountsOf(round: Omit<CountedRound, 'referenceDate'>): RawBuilder<unknown> {
  return sql`(select household_id, household_size, members_under_5, members_under_18, members_over_65
      from program_cycle_household
     where cycle_id = ${round.cycleId}::uuid and round = ${round.round}::int)`;
}

/** Removes the round's counts once its last chunk is written. */
export async function deleteHouseholdCounts(
  trx: Transaction<Database>,
  round: Omit<CountedRound, 'referenceDate'>,
): Promise<void> {
  await trx
    .deleteFrom('program_cycle_household')
    .where('cycle_id', '=', round.cycleId)
    .where('round', '=', round.round)
    .execute();
}
