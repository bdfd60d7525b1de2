import type { Generated } from 'kysely';

import type { ErasureReasonCode, ErasureStatus } from '../../../shared/api/erasure.js';

export {
  type ErasureReasonCode,
  type ErasureStatus,
  erasureReasonCodes,
  erasureStatuses,
} from '../../../shared/api/erasure.js';

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
