import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { limits } from '../../../limits.js';
import type { Database } from '../../../platform/db/schema.js';
import {
  accountCreator,
  accountFlags,
  type LedgerCurrency,
  ledgerLimits,
  lookupAccounts,
  type TransferInput,
  transferCreator,
  transferFlags,
} from '../../ledger/index.js';
import { settlementAccountId } from '../accounts/account-ids.js';
import { settlementAccountsOpener } from '../accounts/settlement-accounts.js';
import type { PaymentsDependencies } from '../payments-context.js';
import { recordBatchFile, writeBatchFile } from './batch-reader.js';
import type { PayoutDependencies } from './payout-gate.js';
import { payoutPendingId, suspenseAccountId } from './payout-ids.js';

/**
 * Preparing a payout batch after its row and payments are written: its reservations in the
 * ledger, then its file, then `ready` (payouts/README.md, "A batch interrupted while it is being
 * made"). One run at a time holds the batch's preparation lease (migration 0119): the creator
 * takes it with the batch's row, a resumption when the lease has expired (its run died). The
 * lease is renewed after each chunk of reservations and released at the end, also on an error.
 */

/** How long a preparation holds its lease: `limits.payouts.preparationLeaseMs` unless a test says. */
export type PreparationDependencies = PayoutDependencies & { preparationLeaseMs?: number };

export const preparationLeaseMsOf = (deps: PreparationDependencies): number =>
  deps.preparationLeaseMs ?? limits.payouts.preparationLeaseMs;

/** The lease's end, `leaseMs` from the database's clock (one clock for every server). */
export const leaseUntil = (leaseMs: number) =>
  sql<Date>`now() + ${`${leaseMs} milliseconds`}::interval`;

/**
 * Takes the preparation of a batch still `preparing` whose lease is free (never taken, expired,
 * or released): true when `holder` now holds it.
 */
export async function preparationTaken(
  db: Kysely<Database>,
  batchId: string,
  holder: string,
  leaseMs: number,
): Promise<boolean> {
  const taken = await db
    .updateTable('payout_batch')
    .set({ prepare_holder: holder, prepare_lease_until: leaseUntil(leaseMs) })
    .where('id', '=', batchId)
    .where('status', '=', 'preparing')
    .where((eb) =>
      eb.or([
        eb('prepare_lease_until', 'is', null),
        eb('prepare_lease_until', '<=', sql<Date>`now()`),
      ]),
    )
    .returning('id')
    .executeTakeFirst();
  return taken !== undefined;
}

/**
 * Finishes preparing a batch whose lease `holder` holds: reservations (renewing the lease after
 * each chunk), the file, `ready`. The lease is released however it ends.
 *
 * @example
 *   if (await preparationTaken(deps.db, batchId, holder, leaseMs))
 *     await preparationFinished(deps, batchId, holder);
 */
export async function preparationFinished(
  deps: PreparationDependencies,
  batchId: string,
  holder: string,
): Promise<void> {
  const leaseMs = preparationLeaseMsOf(deps);
  const held = (db: Kysely<Database>) =>
    db.updateTable('payout_batch').where('id', '=', batchId).where('prepare_holder', '=', holder);
  try {
    await reserveAndWrite(deps, batchId, async () => {
      await held(deps.db)
        .set({ prepare_lease_until: leaseUntil(leaseMs) })
        .execute();
    });
  } finally {
    // Released for the next resumption at once; a run killed outright leaves it to expire.
    await held(deps.db)
      .set({ prepare_lease_until: sql<Date>`now()` })
      .execute()
      .catch(() => undefined);
  }
}

/** A new holder id for a preparation run. */
export const preparationHolder = (): string => randomUUID();

/** The settlement and suspense accounts of the currency, opened if they are not yet. */
export async function ensurePayoutAccounts(
  deps: PaymentsDependencies,
  currency: LedgerCurrency,
): Promise<void> {
  await settlementAccountsOpener(deps.db, currency);
  const suspense = suspenseAccountId(currency);
  if ((await lookupAccounts(deps.db, [suspense])).length > 0) return;
  await accountCreator(deps.db, [
    { id: suspense, kind: 'suspense', currency, flags: accountFlags.none },
  ]);
}

/**
 * Reserves every instruction still pending (a pending transfer each, replayed if it was
 * written before an interruption), marks those the ledger refused, then writes the file. Each
 * chunk of reservations is made under the batch's lock, reading again which instructions are
 * still pending: a payment cancelled meanwhile (its person died, was merged or erased,
 * `payout-lifecycle.ts`) is not reserved, and one reserved first is voided by the cancellation.
 */
async function reserveAndWrite(
  deps: PayoutDependencies,
  batchId: string,
  afterChunk: () => Promise<void>,
): Promise<void> {
  const batch = await deps.db
    .selectFrom('payout_batch')
    .select(['currency', 'funding_account_id'])
    .where('id', '=', batchId)
    .executeTakeFirstOrThrow();
  await ensurePayoutAccounts(deps, batch.currency);
  const instructions = await deps.db
    .selectFrom('payout_instruction')
    .select(['id', 'amount_minor'])
    .where('batch_id', '=', batchId)
    .where('status', '=', 'pending')
    .orderBy('seq')
    .execute();
  const refused: Array<{ id: string; result: string }> = [];
  for (let start = 0; start < instructions.length; start += ledgerLimits.transfersPerBatchMax) {
    const chunk = instructions.slice(start, start + ledgerLimits.transfersPerBatchMax);
    let reserved: typeof chunk = [];
    const outcomes = await transferCreator(deps.db, async (trx) => {
      await trx
        .selectFrom('payout_batch')
        .select('id')
        .where('id', '=', batchId)
        .forUpdate()
        .execute();
      const pending = new Set(
        (
          await trx
            .selectFrom('payout_instruction')
            .select('id')
            .where('id', '=', sql<string>`any(${chunk.map((row) => row.id)}::uuid[])`)
            .where('status', '=', 'pending')
            .execute()
        ).map((row) => row.id),
      );
      reserved = chunk.filter((instruction) => pending.has(instruction.id));
      return reserved.map(
        (instruction): TransferInput => ({
          id: payoutPendingId(instruction.id),
          debitAccountId: batch.funding_account_id,
          creditAccountId: settlementAccountId(batch.currency),
          amountMinor: BigInt(instruction.amount_minor),
          flags: transferFlags.pending,
          timeoutSeconds: 0,
          currency: batch.currency,
          reason: 'disbursement',
          referenceKind: 'payout',
          referenceId: instruction.id,
        }),
      );
    });
    outcomes.forEach((outcome, index) => {
      const instruction = reserved[index];
      if (outcome.result !== 'ok' && instruction !== undefined)
        refused.push({ id: instruction.id, result: outcome.result });
    });
    await afterChunk();
  }
  for (const item of refused) {
    await deps.db
      .updateTable('payout_instruction')
      .set({ status: 'refused', status_reason: item.result, updated_at: new Date() })
      .where('id', '=', item.id)
      .where('status', '=', 'pending')
      .execute();
  }
  await recordFirstFile(deps, batchId);
  // A batch cancelled meanwhile (`batch-canceller.ts`) stays cancelled.
  await deps.db
    .updateTable('payout_batch')
    .set({ status: 'ready', prepare_lease_until: sql<Date>`now()` })
    .where('id', '=', batchId)
    .where('status', '=', 'preparing')
    .execute();
}

/**
 * Writes the batch's file and keeps its hash (`recordBatchFile`); written again if a payment
 * was cancelled while it was being written. Nothing is kept when nothing is left to pay.
 */
async function recordFirstFile(deps: PayoutDependencies, batchId: string): Promise<void> {
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    const written = await writeBatchFile(deps, batchId);
    if (written === null || (await recordBatchFile(deps.db, batchId, written, { sent: false })))
      return;
  }
  // Cancelled three times over while writing: the download writes, validates and keeps it.
}
