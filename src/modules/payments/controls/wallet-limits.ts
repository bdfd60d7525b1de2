import type { TransferOutcome } from '../../ledger/index.js';
import { ControlsError } from './controls-error.js';

/**
 * The payments face of the per-wallet daily limit (issue #16, point 7). The ledger enforces
 * it itself, in every `transferCreator` batch, inside the batch's transaction after the
 * wallet is locked (`limits.ledger.dailyDebitMaxMinor`, `ledger/daily-debit-limits.ts`): a
 * wallet payment cannot pass it whoever calls the ledger. A refused transfer answers
 * `exceeds_daily_debit_limit` and is not written; in a linked chain (a payment with its
 * subsidy) the whole chain fails, so nothing is posted. This turns that answer into the
 * problem a route gives: call it on the outcomes of a wallet payment.
 *
 * @example
 *   const outcomes = await transferCreator(db, [walletLeg, subsidyLeg]);
 *   refuseOverDailyLimit(outcomes); // throws AMP_WALLET_DAILY_LIMIT (409)
 */
export function refuseOverDailyLimit(outcomes: readonly TransferOutcome[]): void {
  if (outcomes.some((outcome) => outcome.result === 'exceeds_daily_debit_limit')) {
    throw new ControlsError(
      'AMP_WALLET_DAILY_LIMIT',
      "The payment would take the wallet past its daily limit; nothing was posted. It can be paid again tomorrow (the day is Venezuela's, UTC−4)",
    );
  }
}
