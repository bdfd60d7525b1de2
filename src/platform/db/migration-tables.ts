import type { Generated } from 'kysely';

export interface MigrationTables {
  amparo_migration: {
    name: string;
    checksum: string;
    applied_at: Generated<Date>;
  };
}
