import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { transferFlags, zeroId } from './ledger-codes.js';
import { ledgerLimits } from './limits.js';
import { transferCreator } from './transfer-creator.js';
import type { TransferOutcome } from './transfer-engine.js';

/**
 * Releases pending transfers whose timeout has passed (issue #16, point 1): each gets a void
 * with the reserved reason `pending_expired`, so its pending amounts are freed by a transfer
 * like any other and the history says why. A pending transfer already past its timeout can
 * no longer be posted even before the sweep reaches it. The void's id is derived from the
 * pending transfer's, so two sweeps at once write it once.
 *
 * @example
 *   await pendingExpirer(db, new Date()); // every 30 s from a worker
 */
export async function pendingExpirer(db: Kysely<Database>, now: Date): Promise<TransferOutcome[]> {
  const expired = await sql<{ id: string; currency: 'VES' | 'USD' }>`
    select p.id, p.currency from ledger_transfer p
     where p.result = 'ok' and p.flags & 2 = 2 and p.expires_at <= ${now.toISOString()}::timestamptz
       and not exists (select 1 from ledger_transfer r where r.pending_id = p.id and r.result = 'ok')
     order by p.expires_at
     limit ${ledgerLimits.expiryBatchMax}
  `.execute(db);
  if (expired.rows.length === 0) return [];
  return transferCreator(
    db,
    expired.rows.map((pending) => ({
      id: expiryId(pending.id),
      debitAccountId: zeroId,
      creditAccountId: zeroId,
      amountMinor: 0n,
      pendingId: pending.id,
      flags: transferFlags.voidPendingTransfer,
      currency: pending.currency,
      reason: 'pending_expired',
    })),
    { now, allowReservedReason: true },
  );
}

/** The id of the void that expires a pending transfer: a UUID (version 8) from its id. */
export function expiryId(pendingId: string): string {
  const hex = createHash('sha256').update(`ledger-expiry|${pendingId}`).digest('hex');
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
