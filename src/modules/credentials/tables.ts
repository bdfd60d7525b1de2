import type { Generated } from 'kysely';
import type { RevocationReason } from './revocation-list.js';
import type { TrustedIssuerKey } from './trust-list.js';

/** Kysely types of the credentials tables; `migrations/0011_credentials.sql` is the truth. */
export interface CredentialTables {
  card_batch: {
    id: string;
    selection_kind: 'region' | 'household' | 'uins';
    selection: string;
    status: Generated<'running' | 'finished'>;
    persons_total: number | null;
    started_at: Generated<Date>;
    finished_at: Date | null;
  };
  credential: {
    id: Buffer;
    person_id: string;
    person_version: number;
    kid: string;
    issued_at: Date;
    expires_at: Date;
    status: Generated<'active' | 'revoked'>;
    revoked_at: Date | null;
    revocation_reason: RevocationReason | null;
    /** bigint: pg returns it as a string. */
    revocation_version: string | number | null;
    revoked_by: string | null;
    issued_by: string | null;
    batch_id: string | null;
    /** The card's CWT `cti` (16 random bytes); null for cards issued before migration 0141. */
    cwt_id: Buffer | null;
  };
  revocation_list_entry: {
    hash: Buffer;
    /** bigint: pg returns it as a string. */
    version: string | number;
    reason: RevocationReason;
    added_at: Generated<Date>;
  };
  trust_list_version: {
    version: number;
    issued_at: Date;
    current_kid: string;
    /** Written as JSON text; read back parsed. */
    keys: TrustedIssuerKey[] | string;
  };
}
