import type { Generated } from 'kysely';
import type { Role } from './roles.js';

/** Kysely types of the access tables; `migrations/0003_operators.sql` is the truth. */
export interface AccessTables {
  operator: {
    id: string;
    username: string;
    display_name: string;
    password_hash: string;
    totp_secret_sealed: Buffer;
    roles: Role[];
    regions: string[];
    created_at: Generated<Date>;
    disabled_at: Date | null;
  };
}
