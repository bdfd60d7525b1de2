import type { Generated } from 'kysely';
import type { Role } from '../../shared/access/roles.js';

/**
 * Kysely types of the access tables; `migrations/0003_operators.sql` and
 * `migrations/0005_sessions.sql` are the truth.
 */
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
    /** int8 is read as bigint (see platform/db/database.ts). */
    totp_last_step: Generated<bigint | null>;
    /** Set by an administrator's create or reset; cleared by the operator's own change. */
    password_change_required: Generated<boolean>;
  };
  /** migrations/0022_operator_grants.sql: grants of roles, regions and new credentials. */
  operator_change: {
    id: string;
    operator_id: string;
    add_roles: Role[];
    add_regions: string[];
    new_credentials: boolean;
    requested_by: string;
    requested_at: Date;
    status: Generated<OperatorChangeStatus>;
    decided_by: string | null;
    decided_at: Date | null;
    /** Set by the database's trigger; int8 is read as bigint. */
    decided_txid: Generated<bigint | null>;
  };
  operator_enrolment: {
    id: string;
    operator_id: string;
    change_id: string | null;
    first_code_digest: Buffer;
    second_code_digest: Buffer | null;
    created_at: Date;
    expires_at: Date | null;
    completed_at: Date | null;
    superseded_at: Date | null;
  };
  auth_session: {
    id: string;
    kind: SessionKind;
    operator_id: string | null;
    person_id: string | null;
    token_sha256: Buffer;
    label: string | null;
    created_at: Date;
    expires_at: Date;
    last_seen_at: Date;
    revoked_at: Date | null;
  };
  sign_in_attempt: {
    id: string;
    kind: 'operator' | 'citizen';
    subject_digest: Buffer;
    address_digest: Buffer;
    outcome: SignInAttemptOutcome;
    attempted_at: Date;
  };
  citizen_sign_in_code: {
    id: string;
    person_id: string;
    channel: 'sms' | 'slip';
    code_hmac: Buffer;
    issued_by: string | null;
    created_at: Date;
    expires_at: Date;
    attempts: Generated<number>;
    consumed_at: Date | null;
    superseded_at: Date | null;
    /** The citizen session the code opened (migration 0111). */
    session_id: string | null;
  };
}

export type OperatorChangeStatus = 'pending' | 'approved' | 'refused';
export type SessionKind = 'console' | 'device' | 'citizen';
export type SignInAttemptOutcome = 'pending' | 'success' | 'failure' | 'refused';
