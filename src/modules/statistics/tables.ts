import type { Generated } from 'kysely';

/** Kysely types of the statistics tables; `migrations/0070_statistics_tables.sql` and `0098_statistics_refresh_schedule.sql` are the truth. */
export interface StatisticsTables {
  statistics_table: {
    code: string;
    refreshed_at: Date;
    refresh_id: string;
    /** jsonb: `DisclosureRules`. */
    rules: unknown;
    /** jsonb: `StoredCell[]` (text on PGlite). */
    cells: unknown;
    primary_cells: number;
    secondary_cells: number;
  };
  statistics_noise_key: {
    id: number;
    secret: Buffer;
    created_at: Generated<Date>;
  };
  statistics_refresh: {
    id: string;
    started_at: Generated<Date>;
    finished_at: Date | null;
    tables_total: number;
    tables_done: Generated<string[]>;
  };
  statistics_refresh_schedule: {
    id: number;
    lease_holder: string | null;
    lease_until: Date | null;
    last_started_at: Date | null;
    last_finished_at: Date | null;
    last_outcome: 'succeeded' | 'failed' | 'stopped' | null;
    last_error_code: string | null;
    last_succeeded_at: Date | null;
  };
}
