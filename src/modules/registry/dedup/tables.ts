import type { ColumnType, Generated } from 'kysely';

/** Kysely types of the dedup run tables; `migrations/0009_dedup_runs.sql` is the truth. */
export interface DedupTables {
  dedup_run: {
    id: string;
    status: Generated<'running' | 'finished' | 'failed'>;
    started_at: Generated<Date>;
    finished_at: Date | null;
    persons: number | null;
    /** int8: read back as bigint (database.ts parsers). */
    candidate_pairs: bigint | number | null;
    accepted_pairs: bigint | number | null;
    clusters: number | null;
    /** The fitted DedupModel: written as JSON text, read back as the parsed object. */
    model: ColumnType<unknown, string | null, string | null>;
  };
  dedup_cluster: {
    run_id: string;
    cluster_id: number;
    person_ids: string[];
    max_score: number;
    status: Generated<'open' | 'reviewed'>;
    reviewed_by: string | null;
    reviewed_at: Date | null;
  };
}
