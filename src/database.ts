/**
 * The database type, composed from each module's tables (`tables.ts` in its folder). The
 * platform declares `Database` with its own tables only and imports no module; this file,
 * beside the composition root, merges every module's tables into it. A new module adds its
 * line here, never in `src/platform/`.
 */
import type { QuotaTables } from './modules/access/quota-tables.js';
import type { AccessTables } from './modules/access/tables.js';
import type { AuditTables } from './modules/audit/tables.js';
import type { CredentialTables } from './modules/credentials/tables.js';
import type { DistributionTables } from './modules/distribution/tables.js';
import type { LedgerTables } from './modules/ledger/tables.js';
import type { NotificationTables } from './modules/notifications/tables.js';
import type { PaymentTables } from './modules/payments/tables.js';
import type { ProgramTables } from './modules/programs/tables.js';
import type { DedupTables } from './modules/registry/dedup/tables.js';
import type { ErasureTables } from './modules/registry/erasure/tables.js';
import type { ImportTables } from './modules/registry/import/tables.js';
import type { RegistryTables } from './modules/registry/tables.js';
import type { StatisticsTables } from './modules/statistics/tables.js';

declare module './platform/db/schema.js' {
  interface Database
    extends AccessTables,
      AuditTables,
      QuotaTables,
      RegistryTables,
      ErasureTables,
      ImportTables,
      DedupTables,
      CredentialTables,
      NotificationTables,
      ProgramTables,
      LedgerTables,
      PaymentTables,
      DistributionTables,
      StatisticsTables {}
}

export type { Database } from './platform/db/schema.js';
