/**
 * The typed shape of every table, for Kysely. Each module declares its own tables in its
 * folder (`tables.ts`) and they are joined here; the SQL in `migrations/` is the truth.
 */
import type { QuotaTables } from '../../modules/access/quota-tables.js';
import type { AccessTables } from '../../modules/access/tables.js';
import type { AuditTables } from '../../modules/audit/tables.js';
import type { CredentialTables } from '../../modules/credentials/tables.js';
import type { DedupTables } from '../../modules/registry/dedup/tables.js';
import type { ErasureTables } from '../../modules/registry/erasure/tables.js';
import type { ImportTables } from '../../modules/registry/import/tables.js';
import type { RegistryTables } from '../../modules/registry/tables.js';
import type { IdempotencyTables } from './idempotency.js';
import type { MigrationTables } from './migration-tables.js';

export interface Database
  extends MigrationTables,
    AccessTables,
    AuditTables,
    QuotaTables,
    RegistryTables,
    ErasureTables,
    IdempotencyTables,
    ImportTables,
    DedupTables,
    CredentialTables {}
