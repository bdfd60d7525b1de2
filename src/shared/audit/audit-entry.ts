import type { Purpose } from '../access/actor.js';

/**
 * One audited event: a read or write of person-level data, or an attempt that was refused.
 * It becomes a leaf of the Merkle audit log; its canonical form is what is hashed.
 */
export interface AuditEntryInput {
  actor: {
    kind: 'operator' | 'citizen' | 'system';
    /** Operator id, person id (citizen) or job name. */
    id: string;
    /** The role the action was authorised under; null when refused before a role applied. */
    role: string | null;
    /** Office or region (ISO 3166-2:VE) the actor acted from/for; null for system jobs. */
    region: string | null;
  };
  /** Dotted verb, e.g. `person.read`, `person.correct`, `credential.issue`. */
  action: string;
  resource: {
    type:
      | 'person'
      | 'household'
      | 'credential'
      | 'operator'
      | 'audit'
      | 'erasure'
      | 'program'
      | 'program_cycle'
      | 'distribution_point'
      | 'payout_batch'
      | 'bank_file'
      | 'ledger_account'
      | 'disbursement'
      | 'statistics_table'
      | 'payment_adjustment'
      | 'merchant'
      | 'payment_request'
      | 'offline_proof_key';
    id: string | null;
  };
  purpose: Purpose | null;
  /** Catalogue attributes read or written; empty when none. */
  fields: readonly string[];
  outcome: 'allowed' | 'denied';
  /** Why a refusal happened, as a stable code (AMP_FORBIDDEN, AMP_QUOTA_EXCEEDED…); null when allowed. */
  reasonCode: string | null;
  requestId: string | null;
}
