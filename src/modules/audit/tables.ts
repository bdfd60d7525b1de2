import type { ColumnType, GeneratedAlways } from 'kysely';

/**
 * int8 is read as bigint (platform/db/database.ts). `number` is in the select type too because
 * Kysely types comparison operands with it, and indexes are compared as numbers.
 */
type Int8Key = ColumnType<bigint | number, bigint | number, never>;

/** Kysely types of the audit tables; `migrations/0004_audit.sql` is the truth. */
/** bytea columns are `Uint8Array`: pg returns a Buffer, PGlite a plain Uint8Array. */
export interface AuditTables {
  audit_entry: {
    leaf_index: Int8Key;
    entry: string;
    leaf_hash: Uint8Array;
    entry_mac: Uint8Array;
    person_id: GeneratedAlways<string | null>;
    actor_id: GeneratedAlways<string | null>;
    action: GeneratedAlways<string | null>;
    recorded_at: GeneratedAlways<Date | null>;
  };
  /** migrations/0077_audit_pending.sql: staged entries, moved into audit_entry by group commit. */
  audit_pending: {
    id: string;
    entry: string;
    entry_mac: Uint8Array;
    staged_at: ColumnType<Date, never, never>;
  };
  /** migrations/0024_change_trail.sql: written by triggers only; the application reads it. */
  change_trail: {
    id: GeneratedAlways<bigint>;
    recorded_at: GeneratedAlways<Date>;
    table_name: 'operator' | 'person';
    record_id: string;
    column_name: 'roles' | 'regions' | 'disabled_at' | 'region_code';
    request_id: string | null;
    session_role: string;
    txid: bigint;
  };
  audit_tree_head: {
    tree_size: Int8Key;
    root_hash: Uint8Array;
    signed_at: Date;
    key_id: string;
    signature: Uint8Array;
    frontier: Uint8Array;
  };
}
