import { type RawBuilder, sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { AuditRecorder, TransactionalAuditRecorder } from '../../access/index.js';
import { sealedFactsReadEntry } from '../../registry/index.js';
import type { RulePlan } from '../rules/rule-plan.js';
import type { SealedCandidate, SealedPool } from './sealed-pool.js';

/**
 * The batch evaluator's second step for a rule over sealed facts: the candidate rows that the
 * SQL part selected (clear facts and ciphertext) go to the worker pool, which answers the ids
 * the whole rule makes eligible. The read is audited before anything is opened, as the
 * registry requires for sealed data: purpose `eligibility_review`, the sealed facts named,
 * one entry per batch with its count (`sealedFactsReadEntry`).
 *
 * @example
 *   const ids = await decideSealed({ pool, audit }, { plan, rows, job: `cycle:${id}`, requestId });
 */
export interface SealedDeciding {
  readonly pool: SealedPool;
  /** The audit log; one that appends inside a transaction does so for a read made in one. */
  readonly audit: AuditRecorder & Partial<Pick<TransactionalAuditRecorder, 'appendInTransaction'>>;
}

/** Rows as the facts relation returns them `withSealed`. */
export type CandidateRow = Record<string, unknown> & { person_id: string };

export async function decideSealed(
  deps: SealedDeciding,
  props: {
    plan: RulePlan;
    rows: readonly CandidateRow[];
    job: string;
    requestId: string;
    /** The caller appended the entry already (a cycle's chunk, before its transaction). */
    audited?: boolean;
    /** The transaction the rows were read in: the entry is appended in it. */
    trx?: Transaction<Database>;
  },
): Promise<Set<string>> {
  if (props.rows.length === 0) return new Set();
  if (props.audited !== true) {
    await deps.audit.append(
      sealedFactsReadEntry({
        job: props.job,
        fields: props.plan.described.sealedFacts,
        persons: props.rows.length,
        requestId: props.requestId,
      }),
    );
  }
  const candidates = props.rows.map(candidateOf);
  return new Set(await deps.pool.decide(props.plan.rule.source, candidates));
}

function candidateOf(row: CandidateRow): SealedCandidate {
  const { person_id, sealed_version, sealed_box, sealed_key, ...clear } = row;
  return {
    person_id,
    // Safe: the relation's sealed columns are int4 and bytea (null when absent).
    sealed_version: sealed_version as number | null,
    sealed_box: sealed_box as Uint8Array | null,
    sealed_key: sealed_key as Uint8Array | null,
    clear,
  };
}

/** Refuses to run a rule's sealed part without the pool that decides it. */
export function requireSealed(
  plan: RulePlan,
  deps: SealedDeciding | undefined,
): SealedDeciding | undefined {
  if (!plan.needsWorkers) return undefined;
  if (deps === undefined) {
    throw new Error(
      `the rule reads sealed facts (${plan.described.sealedFacts.join(', ')}): a sealed-fact pool is needed to run it`,
    );
  }
  return deps;
}

/** Runs `select` (candidate rows) and keeps those the workers decide eligible. */
export async function selectEligibleRows<T extends CandidateRow>(
  db: Transaction<Database>,
  select: RawBuilder<T>,
  sealed:
    | { deps: SealedDeciding; plan: RulePlan; job: string; requestId: string; audited?: boolean }
    | undefined,
): Promise<T[]> {
  const rows = (await sql<T>`${select}`.execute(db)).rows;
  if (sealed === undefined) return rows;
  const eligible = await decideSealed(sealed.deps, { ...sealed, rows, trx: db });
  return rows.filter((row) => eligible.has(row.person_id));
}
