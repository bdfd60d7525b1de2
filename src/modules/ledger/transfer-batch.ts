import type { Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { TransferOutcome } from './transfer-engine.js';
import type { TransferInput } from './transfer-validation.js';

/**
 * The transfers `transferCreator` applies: a list, or a function that chooses them first in
 * the batch's own transaction, before the ledger reads anything. A caller whose right to send
 * a transfer is a row of its own (a disbursement chunk's claim on an entitlement) takes that
 * row there, so it commits, or rolls back, with the money. The function runs again when the
 * batch is retried (the earlier run was rolled back with it).
 *
 * @example
 *   await transferCreator(db, async (trx) => (await claimed(trx, ids)).map(toTransfer));
 */
export type TransferBatch =
  | readonly TransferInput[]
  | ((trx: Transaction<Database>) => Promise<readonly TransferInput[]>);

/**
 * Called last in the batch's transaction, after every row and balance is written, with the
 * transfers sent and their answers in order. It runs again if the batch is retried, and an
 * error it throws rolls the batch back.
 */
export type BatchAppliedHook = (
  trx: Transaction<Database>,
  transfers: readonly TransferInput[],
  outcomes: readonly TransferOutcome[],
) => Promise<void>;
