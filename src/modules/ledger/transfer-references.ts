import { type Kysely, sql } from 'kysely';
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
