import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { eligibilityFactsRelation } from '../../registry/index.js';
import { chunkRange, withoutJit } from '../cycles/cycle-chunks.js';
import { programLimits } from '../limits.js';
import type { CheckedRule } from '../rules/rule-checker.js';
import { refusingOverflow } from '../rules/rule-overflow.js';
import { planRule, type RulePlan } from '../rules/rule-plan.js';
import {
  type CandidateRow,
  decideSealed,
  requireSealed,
  type SealedDeciding,
} from './sealed-decider.js';

/**
 * Runs a rule over every active person's facts at the reference date: the batch evaluator.
 * A rule over clear facts is one query (the compiled CEL, parameters only). A rule over sealed
 * facts follows its plan: SQL selects the candidates chunk by chunk, the sealed-fact pool's
 * worker threads decide them after decryption (the next chunk's query runs meanwhile). A
 * program's regions narrow the persons in scope.
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
  /** The pool and audit for a rule over sealed facts; a rule that needs them fails without. */
  sealed?: SealedDeciding;
  /** Chunks of a sealed run (default `limits.programs.sealedCountChunks`). */
  chunks?: number;
}

function eligibleSelect(
  query: EligibilityQuery,
  plan: RulePlan,
  personIdRange?: { from: string; to: string | undefined },
): RawBuilder<CandidateRow> {
  const facts = eligibilityFactsRelation({
    referenceDate: query.referenceDate,
    withSealed: plan.needsWorkers,
    only: query.rule.variables,
    ...(personIdRange === undefined ? {} : { personIdRange }),
  });
  const inScope =
    query.regions.length === 0
      ? sql`true`
      : sql`f.region_code in (${sql.join(query.regions.map((region) => sql`${region}`))})`;
  const columns = plan.needsWorkers ? sql`f.*` : sql`f.person_id`;
  return sql<CandidateRow>`select ${columns} from ${facts} as f
    where ${inScope} and ${plan.sqlCondition('f')}`;
}

/** Ids of the persons the rule makes eligible, in id order. */
export async function eligiblePersonIds(
  db: Kysely<Database>,
  query: EligibilityQuery,
): Promise<string[]> {
  const plan = planRule(query.rule);
  const sealed = requireSealed(plan, query.sealed);
  if (sealed !== undefined) return (await sealedEligibleIds(db, query, plan, sealed)).sort();
  const result = await refusingOverflow('rule', () =>
    sql<{ person_id: string }>`${eligibleSelect(query, plan)} order by f.person_id`.execute(db),
  );
  return result.rows.map((row) => row.person_id);
}

/** How many persons the rule makes eligible. */
export async function countEligible(
  db: Kysely<Database>,
  query: EligibilityQuery,
): Promise<bigint> {
  const plan = planRule(query.rule);
  const sealed = requireSealed(plan, query.sealed);
  if (sealed !== undefined)
    return BigInt((await sealedEligibleIds(db, query, plan, sealed)).length);
  const result = await refusingOverflow('rule', () =>
    sql<{
      eligible: bigint;
    }>`select count(*)::int8 as eligible from (${eligibleSelect(query, plan)}) as e`.execute(db),
  );
  return result.rows[0]?.eligible ?? 0n;
}

/** Chunk by chunk: the next chunk's candidates are read while the workers decide this one. */
async function sealedEligibleIds(
  db: Kysely<Database>,
  query: EligibilityQuery,
  plan: RulePlan,
  sealed: SealedDeciding,
): Promise<string[]> {
  const chunks = query.chunks ?? programLimits.sealedCountChunks;
  const read = (index: number) => {
    const rows = refusingOverflow('rule', () =>
      db.transaction().execute(async (trx) => {
        await withoutJit(trx);
        return sql<CandidateRow>`${eligibleSelect(query, plan, chunkRange(index, chunks))}`.execute(
          trx,
        );
      }),
    ).then((result) => result.rows);
    // Handled when awaited; this only keeps a failure meanwhile from being reported unhandled.
    rows.catch(() => undefined);
    return rows;
  };
  const ids: string[] = [];
  let next = read(0);
  for (let index = 0; index < chunks; index += 1) {
    const rows = await next;
    if (index + 1 < chunks) next = read(index + 1);
    const eligible = await decideSealed(sealed, {
      plan,
      rows,
      job: 'eligibility',
      requestId: `eligibility:${query.referenceDate}:chunk:${index}`,
    });
    for (const row of rows) if (eligible.has(row.person_id)) ids.push(row.person_id);
  }
  return ids;
}
