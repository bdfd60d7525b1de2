/**
 * The typed shape of every table, for Kysely. The platform knows only its own tables (the
 * migrations' ledger and idempotency records); each module declares its tables in its own
 * folder (`tables.ts`), and `src/database.ts` adds them to this interface by declaration
 * merging, as Fastify's own types are extended. So every file types its queries against one
 * `Database` imported from here, and the platform imports no module. The SQL in
 * `migrations/` is the truth.
 */
import type { IdempotencyTables } from './idempotency-tables.js';
import type { MigrationTables } from './migration-tables.js';

export interface Database extends MigrationTables, IdempotencyTables {}
