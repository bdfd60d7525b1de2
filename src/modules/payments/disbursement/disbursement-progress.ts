import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { DisbursementStatus } from '../tables.js';

/** How far a disbursement has gone. Amounts are minor units. */
export interface DisbursementProgress {
  id: string;
  cycleId: string;
  programId: string;
  currency: 'VES' | 'USD';
  fundingAccountId: string;
  status: DisbursementStatus;
  chunksTotal: number;
  chunksDone: number;
  entitlementsTotal: bigint;
  amountTotalMinor: bigint;
  creditedCount: bigint;
  creditedMinor: bigint;
  skippedCount: bigint;
  refusedCount: bigint;
  startedBy: string | null;
  startedAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

/** A disbursement by its id or its cycle's, or undefined. */
export async function disbursementProgress(
  db: Kysely<Database>,
  by: { id: string } | { cycleId: string },
): Promise<DisbursementProgress | undefined> {
  let query = db.selectFrom('payment_disbursement').selectAll();
  query = 'id' in by ? query.where('id', '=', by.id) : query.where('cycle_id', '=', by.cycleId);
  const row = await query.executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    id: row.id,
    cycleId: row.cycle_id,
    programId: row.program_id,
    currency: row.currency,
    fundingAccountId: row.funding_account_id,
    status: row.status,
    chunksTotal: row.chunks_total,
    chunksDone: row.chunks_done,
    entitlementsTotal: BigInt(row.entitlements_total),
    amountTotalMinor: BigInt(row.amount_total_minor),
    creditedCount: BigInt(row.credited_count),
    creditedMinor: BigInt(row.credited_minor),
    skippedCount: BigInt(row.skipped_count),
    refusedCount: BigInt(row.refused_count),
    startedBy: row.started_by,
    startedAt: row.started_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}
