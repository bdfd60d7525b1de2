import type { Generated } from 'kysely';

/** Kysely types of the statistics tables; `migrations/0070_statistics_tables.sql` is the truth. */
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
}
