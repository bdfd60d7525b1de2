import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import {
  lookupAccounts,
  postedBalance,
  type TransferInput,
  transferCreator,
  transferFlags,
} from '../../ledger/index.js';
import {
  fundingAccountId,
  merchantAccountId,
  merchantRefundTransferIds,
  walletAccountId,
} from '../accounts/account-ids.js';
import { PaymentsError } from '../payments-error.js';
import { type PaymentReceipt, receiptOf } from './payment-receipts.js';

/**
 * Refunds a payment in full by new transfers (issue #16: a transfer once written never
 * changes): the payer's share from the merchant's account back to the wallet, the program's
 * back to its funding account, linked. A payment is refunded at most once: the transfer ids
 * derive from the payment's request id.
 *
 * @example
 *   await merchantRefunder(db, { requestId, merchantId, refundId, operatorId, now });
 */
export async function merchantRefunder(
  db: Kysely<Database>,
  props: { requestId: string; merchantId: string; refundId: string; operatorId: string; now: Date },
): Promise<PaymentReceipt> {
  const payment = await db
    .selectFrom('merchant_payment')
    .selectAll()
    .where('request_id', '=', props.requestId)
    .where('merchant_id', '=', props.merchantId)
    .executeTakeFirst();
  if (payment === undefined) {
    throw new PaymentsError('AMP_PAYMENT_REQUEST_INVALID', 'This merchant has no such payment');
  }
  const refunded = await db
    .selectFrom('merchant_refund')
    .select('refund_id')
    .where('request_id', '=', props.requestId)
    .executeTakeFirst();
  if (refunded !== undefined && refunded.refund_id !== props.refundId) {
    throw new PaymentsError('AMP_PAYMENT_REFUNDED', 'This payment was already refunded');
  }
  const ids = merchantRefundTransferIds(props.requestId);
  const merchant = merchantAccountId(payment.merchant_id, payment.currency);
  const common = {
    debitAccountId: merchant,
    currency: payment.currency,
    referenceKind: 'payment_request',
    referenceId: props.requestId,
    reason: 'refund',
  };
  const transfers: TransferInput[] = [];
  if (payment.payer_minor > 0n) {
    transfers.push({
      ...common,
      id: ids.payer,
      creditAccountId: walletAccountId(payment.payer_person_id, payment.currency),
      amountMinor: payment.payer_minor,
      flags: transferFlags.none,
    });
  }
  if (payment.subsidy_minor > 0n && payment.program_id !== null) {
    transfers.push({
      ...common,
      id: ids.subsidy,
      creditAccountId: fundingAccountId(payment.program_id, payment.currency),
      amountMinor: payment.subsidy_minor,
      flags: transferFlags.none,
    });
  }
  // Refused before posting when the merchant no longer holds the money (settled meanwhile), so
  // the refund's derived ids are not burnt by a refusal and it can be made once the money is back.
  const [account] = await lookupAccounts(db, [merchant]);
  const available = account === undefined ? 0n : postedBalance(account) - account.debitsPending;
  if (available < payment.amount_minor) {
    throw new PaymentsError(
      'AMP_FUNDS_INSUFFICIENT',
      "The merchant's account no longer holds the payment (it was settled)",
    );
  }
  // Every transfer but the last is linked to the next: all or none.
  const linked = transfers.map((transfer, index) =>
    index < transfers.length - 1 ? { ...transfer, flags: transferFlags.linked } : transfer,
  );
  const outcomes = await transferCreator(db, linked, { now: props.now });
  const refused = outcomes.find((outcome) => outcome.result !== 'ok');
  if (refused !== undefined) {
    throw new PaymentsError(
      refused.result === 'exceeds_credits' ? 'AMP_FUNDS_INSUFFICIENT' : 'AMP_TRANSFER_REFUSED',
      refused.result === 'exceeds_credits'
        ? "The merchant's account no longer holds the payment (it was settled)"
        : `The ledger refused the refund: ${refused.result}`,
    );
  }
  await db
    .insertInto('merchant_refund')
    .values({
      request_id: props.requestId,
      refund_id: props.refundId,
      refunded_by: props.operatorId,
      refunded_at: props.now,
    })
    .onConflict((conflict) => conflict.column('request_id').doNothing())
    .execute();
  // Safe: the payment exists (read above).
  return (await receiptOf(db, props.requestId)) as PaymentReceipt;
}
