import { type TransferResult, zeroId } from './ledger-codes.js';
import type { StoredTransfer } from './ledger-state.js';
import { resolvesPending, type TransferInput } from './transfer-validation.js';

/**
 * The answer to a transfer whose id is already written (idempotency, issue #16 point 1):
 * the same body gets the first answer (`ok`, TigerBeetle's `exists`, or the refusal it was
 * first given); another body is refused, like Mojaloop's 3106 "modified request", with
 * TigerBeetle's `exists_with_different_<field>` for an applied transfer and
 * `id_already_failed` for a refused one. Neither changes anything.
 *
 * @example
 *   compareWithStored({ ...first, amountMinor: 2n }, firstRow); // 'exists_with_different_amount'
 */
export function compareWithStored(transfer: TransferInput, stored: StoredTransfer): TransferResult {
  if (stored.result !== 'ok') {
    return firstDifference(transfer, stored, false) === null ? stored.result : 'id_already_failed';
  }
  return firstDifference(transfer, stored, true) ?? 'ok';
}

/**
 * The first field, in TigerBeetle's order, in which a request differs from the row. When
 * `lenient`, a post or void that left its accounts or amount zero ("the pending transfer's")
 * matches the row that holds the pending transfer's values, as TigerBeetle compares them.
 */
function firstDifference(
  transfer: TransferInput,
  stored: StoredTransfer,
  lenient: boolean,
): TransferResult | null {
  const asPending = lenient && resolvesPending(transfer.flags);
  const pendingId =
    transfer.pendingId === undefined || transfer.pendingId === zeroId ? null : transfer.pendingId;
  if (transfer.flags !== stored.flags) return 'exists_with_different_flags';
  if (pendingId !== stored.pendingId) return 'exists_with_different_pending_id';
  if ((transfer.timeoutSeconds ?? 0) !== stored.timeoutSeconds) {
    return 'exists_with_different_timeout';
  }
  if (
    !(asPending && transfer.debitAccountId === zeroId) &&
    transfer.debitAccountId !== stored.debitAccountId
  ) {
    return 'exists_with_different_debit_account_id';
  }
  if (
    !(asPending && transfer.creditAccountId === zeroId) &&
    transfer.creditAccountId !== stored.creditAccountId
  ) {
    return 'exists_with_different_credit_account_id';
  }
  if (!(asPending && transfer.amountMinor === 0n) && transfer.amountMinor !== stored.amountMinor) {
    return 'exists_with_different_amount';
  }
  if ((transfer.referenceId ?? null) !== stored.referenceId) {
    return 'exists_with_different_user_data_128';
  }
  if ((transfer.referenceKind ?? null) !== stored.referenceKind) {
    return 'exists_with_different_user_data_32';
  }
  if (transfer.currency !== stored.currency) return 'exists_with_different_ledger';
  if (transfer.reason !== stored.reason) return 'exists_with_different_code';
  return null;
}
