import type { Generated } from 'kysely';

/** Kysely types of the import tables; `migrations/0010_import_jobs.sql` is the truth. */
export interface ImportTables {
  import_job: {
    id: string;
    file_sha256: Buffer;
    file_name: string;
    /** int8: read back as bigint (database.ts parsers). */
    file_bytes: bigint | number;
    format: 'csv' | 'ndjson';
    status: 'running' | 'finished' | 'failed';
    /** `YYYY-MM-DD` (dates are read back as text). */
    reference_date: string;
    regions: string[] | null;
    started_by: string | null;
    lines_total: number | null;
    rows_invalid: number | null;
    failure: string | null;
    started_at: Generated<Date>;
    updated_at: Generated<Date>;
    finished_at: Date | null;
  };
  import_batch: {
    job_id: string;
    first_line: number;
    last_line: number;
    persons: number;
    households: number;
    committed_at: Generated<Date>;
  };
  import_row: {
    job_id: string;
    line: number;
    person_id: string;
  };
  household_version: {
    household_id: string;
    version: number;
    attributes: Record<string, unknown>;
    reason: 'enrolment' | 'import' | 'correction' | 'demo';
    recorded_by: string | null;
    recorded_at: Generated<Date>;
  };
}
