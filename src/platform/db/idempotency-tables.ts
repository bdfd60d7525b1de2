import type { Generated } from 'kysely';

/** Kysely type of `idempotency_record` (`migrations/0001_foundation.sql` is the truth). */
export interface IdempotencyTables {
  idempotency_record: {
    scope: string;
    key: string;
    request_sha256: Buffer;
    response_status: number;
    /** Written as JSON text; read back parsed. */
    response_body: unknown;
    created_at: Generated<Date>;
  };
}
