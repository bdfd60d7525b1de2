import type { Generated } from 'kysely';

/** Why a person may be erased: a fixed list, so that no free text (and no personal data) creeps in. */
export const erasureReasonCodes = [
  'person_request',
  'court_order',
  'duplicate_of_erased',
  'deceased_retention_expired',
] as const;
export type ErasureReasonCode = (typeof erasureReasonCodes)[number];

export const erasureStatuses = ['pending', 'executed', 'withdrawn'] as const;
export type ErasureStatus = (typeof erasureStatuses)[number];

/** Kysely types of the erasure tables; `migrations/0007_erasure.sql` is the truth. */
export interface ErasureTables {
  erasure_request: {
    id: string;
    person_id: string;
    requested_by: string;
    reason_code: ErasureReasonCode;
    reference: string | null;
    requested_at: Date;
    status: Generated<ErasureStatus>;
    approved_by: string | null;
    approved_at: Date | null;
    executed_at: Date | null;
    withdrawn_by: string | null;
    withdrawn_at: Date | null;
    /** Set by the database's guard (migration 0023); int8 is read as bigint. */
    requested_txid: Generated<bigint | null>;
    executed_txid: Generated<bigint | null>;
  };
}
