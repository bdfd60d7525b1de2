import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { eligibilityFactsRelation } from '../../registry/index.js';
import type { CheckedRule } from '../rules/rule-checker.js';
import { planRule } from '../rules/rule-plan.js';
import { compileRule } from '../rules/rule-sql.js';

/**
 * Runs a rule in the database, in one query, over every active person's facts at the
 * reference date: the batch evaluator. The rule's SQL is the compiled CEL (parameters only);
 * the facts relation is the registry's. A program's regions narrow the persons in scope.
 *
 * @example
 *   const ids = await eligiblePersonIds(db, { rule, referenceDate: '2026-12-01', regions: [] });
 */
export interface EligibilityQuery {
  rule: CheckedRule;
  /** `YYYY-MM-DD`. */
  referenceDate: string;
  /** ISO 3166-2:VE states of the program; empty for national. */
  regions: readonly string[];
}

function eligibleSelect(query: EligibilityQuery): RawBuilder<{ person_id: string }> {
  const plan = planRule(query.rule);
  const facts = eligibilityFactsRelation({ referenceDate: query.referenceDate });
  const inScope =
    query.regions.length === 0
      ? sql`true`
      : sql`f.region_code in (${sql.join(query.regions.map((region) => sql`${region}`))})`;
  return sql<{ person_id: string }>`select f.person_id from ${facts} as f
    where ${inScope} and ${compileRule(plan.sql, 'f')}`;
}

/** Ids of the persons the rule makes eligible, in id order. */
export async function eligiblePersonIds(
  db: Kysely<Database>,
  query: EligibilityQuery,
): Promise<string[]> {
  const result = await sql<{
    person_id: string;
  }>`${eligibleSelect(query)} order by f.person_id`.execute(db);
  return result.rows.map((row) => row.person_id);
}

/** How many persons the rule makes eligible. */
export async function countEligible(
  db: Kysely<Database>,
  query: EligibilityQuery,
): Promise<bigint> {
  const result = await sql<{
    eligible: bigint;
  }>`select count(*)::int8 as eligible from (${eligibleSelect(query)}) as e`.execute(db);
  return result.rows[0]?.eligible ?? 0n;
}
