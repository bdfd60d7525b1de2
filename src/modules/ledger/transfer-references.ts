import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { ReferenceKind } from './ledger-codes.js';

/**
 * Of `referenceIds`, those that caused at least one accepted transfer of `referenceKind`
 * (e.g. the entitlements a disbursement already credited). One query over the reference index.
 *
 * @example
 *   const credited = await referencedTransfers(db, 'entitlement', entitlementIds);
 */
export async function referencedTransfers(
  db: Kysely<Database>,
  referenceKind: ReferenceKind,
  referenceIds: readonly string[],
): Promise<Set<string>> {
  if (referenceIds.length === 0) return new Set();
  const { rows } = await sql<{ reference_id: string }>`
    select distinct reference_id from ledger_transfer
     where reference_id = any(${[...referenceIds]}::uuid[])
       and reference_kind = ${referenceKind} and result = 'ok'`.execute(db);
  return new Set(rows.map((row) => row.reference_id));
}

/**
 * `referencedTransfers` as a relation another module's statement reads: the reference ids of
 * every accepted transfer of `referenceKind` (correlate it on `reference_id`; the reference
 * index answers each probe).
 *
 * @example
 *   sql`... and not exists (select 1 from (${referencedTransfersRelation('entitlement')}) t
 *                            where t.reference_id = e.id)`
 */
export function referencedTransfersRelation(
  referenceKind: ReferenceKind,
): RawBuilder<{ reference_id: string }> {
  return sql`select reference_id from ledger_transfer
     where reference_kind = ${referenceKind} and result = 'ok'`;
}

/**
 * Every transfer written for one reference, applied or refused: its id and result (a payment
 * request's attempts, say). One query over the reference index.
 */
export async function transfersOfReference(
  db: Kysely<Database>,
  referenceKind: ReferenceKind,
  referenceId: string,
): Promise<Map<string, string>> {
  const { rows } = await sql<{ id: string; result: string }>`
    select id, result from ledger_transfer
     where reference_id = ${referenceId}::uuid and reference_kind = ${referenceKind}`.execute(db);
  return new Map(rows.map((row) => [row.id, row.result]));
}
