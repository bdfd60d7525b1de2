import { sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import {
  ledgerLimits,
  referencedTransfers,
  type TransferInput,
  transferCreatorInTransaction,
  transferFlags,
  zeroId,
} from '../../ledger/index.js';
import type { RegistryEvents } from '../../registry/index.js';
import { payoutPendingId, payoutVoidId } from './payout-ids.js';

/** The registry event that reached payments, as `payout_flag.reason` records it. */
export type PayoutLifecycleReason = 'death' | 'merge' | 'erasure';

/**
 * Payouts' answer to the registry's lifecycle events (issue #16, point 7): a person who died,
 * was merged away or was erased is paid nothing more by a payout that has not left Amparo, and
 * a payout that has is listed for the finance officer. Subscribed in `app.ts`, beside the wallet
 * freeze; it runs in the registry write's transaction, so the erasure and the voids commit
 * together or not at all.
 *
 * @example
 *   voidPayoutsOnRegistryEvents(events);
 */
export function voidPayoutsOnRegistryEvents(events: RegistryEvents): void {
  const stop =
    (reason: PayoutLifecycleReason) => async (trx: Transaction<Database>, personId: string) => {
      await payoutsOfPersonStopper(trx, personId, reason);
    };
  events.on('personDied', (trx, { personId }) => stop('death')(trx, personId));
  events.on('personsMerged', (trx, { mergedId }) => stop('merge')(trx, mergedId));
  events.on('personErased', (trx, { personId }) => stop('erasure')(trx, personId));
}

/** What happened to the person's live payouts. */
export interface StoppedPayouts {
  /** Not yet sent: reservation voided, claim released, left out of the file. */
  cancelled: string[];
  /** Already sent (or already posted): the bank may execute them; listed in `payout_flag`. */
  flagged: string[];
}

/**
 * Stops a person's live payouts (pending or accepted), in the caller's transaction.
 *
 * Each batch holding one is locked first (`for update`), in id order: a download marks its
 * batch sent under the same lock (`batch-file-record.ts`) and a batch's reservations are made
 * under it too, so a payment is either cancelled before its file leaves or in the file and
 * flagged — never both, never neither. A payment of a batch not sent is **cancelled**: its
 * pending transfer voided in the ledger in this transaction (`transferCreatorInTransaction`,
 * the id the bank's rejection would use, `payoutVoidId`, so the pending transfer is resolved at
 * most once whoever comes first), its status `cancelled` (which releases the entitlement's
 * claim and leaves it out of the file), the batch's file hash cleared (the next download
 * validates the smaller file and keeps its hash). If the ledger finds the reservation posted
 * already (a bank file applied it and stopped before its status was written), the payment is
 * flagged instead: the money may be gone. A payment of a sent batch is **flagged**.
 */
export async function payoutsOfPersonStopper(
  trx: Transaction<Database>,
  personId: string,
  reason: PayoutLifecycleReason,
): Promise<StoppedPayouts> {
  const live = await trx
    .selectFrom('payout_instruction')
    .select(['id', 'batch_id', 'status'])
    .where('person_id', '=', personId)
    .where('status', 'in', ['pending', 'accepted'])
    .execute();
  if (live.length === 0) return { cancelled: [], flagged: [] };
  const batches = await trx
    .selectFrom('payout_batch')
    .select(['id', 'currency', 'sent_at'])
    .where('id', '=', sql<string>`any(${[...new Set(live.map((row) => row.batch_id))]}::uuid[])`)
    .orderBy('id')
    .forUpdate()
    .execute();
  const batchOf = new Map(batches.map((batch) => [batch.id, batch]));
  // Read again under the locks: a bank file or the batch's own reservation may have moved on.
  const current = await trx
    .selectFrom('payout_instruction')
    .select(['id', 'batch_id', 'status'])
    .where('id', '=', sql<string>`any(${live.map((row) => row.id)}::uuid[])`)
    .where('status', 'in', ['pending', 'accepted'])
    .execute();
  const unsent = current.filter(
    (row) => row.status === 'pending' && batchOf.get(row.batch_id)?.sent_at === null,
  );
  const flagged: Array<{ id: string; status: string }> = current
    .filter((row) => !unsent.includes(row))
    .map((row) => ({ id: row.id, status: row.status }));
  const posted = await voidReservations(trx, unsent, batchOf);
  const cancelled = unsent.filter((row) => !posted.has(row.id));
  for (const row of unsent) if (posted.has(row.id)) flagged.push({ id: row.id, status: 'posted' });
  if (cancelled.length > 0) {
    await trx
      .updateTable('payout_instruction')
      .set({ status: 'cancelled', status_reason: `person_${reason}`, updated_at: new Date() })
      .where('id', '=', sql<string>`any(${cancelled.map((row) => row.id)}::uuid[])`)
      .where('status', '=', 'pending')
      .execute();
    await trx
      .updateTable('payout_batch')
      .set({ file_sha256: null })
      .where(
        'id',
        '=',
        sql<string>`any(${[...new Set(cancelled.map((row) => row.batch_id))]}::uuid[])`,
      )
      .execute();
  }
  if (flagged.length > 0) {
    await trx
      .insertInto('payout_flag')
      .values(
        flagged.map((row) => ({
          instruction_id: row.id,
          reason,
          status_when_flagged: row.status,
        })),
      )
      .onConflict((conflict) => conflict.column('instruction_id').doNothing())
      .execute();
  }
  return { cancelled: cancelled.map((row) => row.id), flagged: flagged.map((row) => row.id) };
}

/**
 * Voids the reservations of payments not sent, in the caller's transaction; answers those the
 * ledger found posted already. A payment whose reservation was never written (its batch was
 * interrupted before reserving it) has nothing to void: sending a void would write a refusal
 * under its id.
 */
export async function voidReservations(
  trx: Transaction<Database>,
  unsent: ReadonlyArray<{ id: string; batch_id: string }>,
  batchOf: ReadonlyMap<string, { currency: 'VES' | 'USD' }>,
): Promise<Set<string>> {
  const reserved = await referencedTransfers(
    trx,
    'payout',
    unsent.map((row) => row.id),
  );
  const voids: TransferInput[] = unsent
    .filter((row) => reserved.has(row.id))
    .map((row) => ({
      id: payoutVoidId(row.id),
      debitAccountId: zeroId,
      creditAccountId: zeroId,
      amountMinor: 0n,
      pendingId: payoutPendingId(row.id),
      flags: transferFlags.voidPendingTransfer,
      // Safe: every row's batch was read and locked above.
      currency: (batchOf.get(row.batch_id) as { currency: 'VES' | 'USD' }).currency,
      reason: 'disbursement',
      referenceKind: 'payout',
      referenceId: row.id,
    }));
  const posted = new Set<string>();
  for (let start = 0; start < voids.length; start += ledgerLimits.transfersPerBatchMax) {
    const chunk = voids.slice(start, start + ledgerLimits.transfersPerBatchMax);
    const outcomes = await transferCreatorInTransaction(trx, chunk);
    outcomes.forEach((outcome, index) => {
      const instructionId = chunk[index]?.referenceId ?? '';
      if (outcome.result === 'ok' || outcome.result === 'pending_transfer_already_voided') return;
      // Posted (or otherwise resolved against the void): the money may have left.
      posted.add(instructionId);
    });
  }
  return posted;
}
