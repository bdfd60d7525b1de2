import assert from 'node:assert/strict';
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import { limits } from '../../../limits.js';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import { type TransferInput, transferCreator, transferFlags } from '../../ledger/index.js';
import {
  fundingAccountId,
  merchantAccountId,
  merchantRefundTransferIds,
  walletAccountId,
} from '../accounts/account-ids.js';
import { currencyFrom } from '../money-input.js';
import { PaymentsError } from '../payments-error.js';
import { type PaymentReceipt, receiptOf } from './payment-receipts.js';
import { refundSplit } from './refund-split.js';

export interface RefundProps {
  requestId: string;
  merchantId: string;
  /** The client's id of this refund: the idempotency key. */
  refundId: string;
  /** What to refund; absent, whatever is left of the payment. */
  amountMinor?: bigint | undefined;
  /** When given, it must be the payment's (`AMP_CURRENCY_MISMATCH`). */
  currency?: string | undefined;
  operatorId: string;
  now: Date;
}

type Payment = Selectable<Database['merchant_payment']>;

/**
 * Refunds a payment, in full or in part, by new transfers (issue #16: a transfer once written
 * never changes): the payer's part from the merchant's account back to the wallet and the
 * program's part back to its funding account, linked, split by `refundSplit` (the program's
 * share rounded down over the refunds so far, so the parts always add up). A payment may be
 * refunded several times, never beyond what was paid, at most
 * `limits.merchants.refundsPerPaymentMax` times.
 *
 * The refund's row and its transfers are one ledger transaction: the refunds of one payment
 * are counted under a transaction-scoped advisory lock on it, so two refunds sent at once are
 * counted one after the other and cannot both pass the total. The same refund id again answers
 * the receipt and moves nothing; with another payment or amount it is refused
 * (`AMP_IDEMPOTENCY_MISMATCH`). A refund the ledger refuses (the merchant's balance was settled
 * meanwhile) rolls back whole, refusal rows included, so the same refund id can be sent again
 * once the merchant holds the money.
 *
 * @example
 *   await merchantRefunder(db, { requestId, merchantId, refundId, amountMinor: 500n, operatorId, now });
 */
export async function merchantRefunder(
  db: Kysely<Database>,
  props: RefundProps,
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
  if (props.currency !== undefined && currencyFrom(props.currency) !== payment.currency) {
    throw new PaymentsError(
      'AMP_CURRENCY_MISMATCH',
      `The payment was made in ${payment.currency}`,
      [{ field: '/currency', reason: `must be ${payment.currency}` }],
    );
  }
  try {
    await transferCreator(db, (trx) => refundTransfers(trx, payment, props), {
      now: props.now,
      onApplied: async (_trx, _transfers, outcomes) => {
        const refused = outcomes.find((outcome) => outcome.result !== 'ok');
        if (refused === undefined) return;
        // Thrown inside the batch's transaction: the refund's row and the refusal roll back.
        throw refused.result === 'exceeds_credits'
          ? new PaymentsError(
              'AMP_FUNDS_INSUFFICIENT',
              "The merchant's account no longer holds the amount (it was settled)",
            )
          : new PaymentsError(
              'AMP_TRANSFER_REFUSED',
              `The ledger refused the refund: ${refused.result}`,
            );
      },
    });
  } catch (error) {
    if (!(error instanceof RefundReplayed)) throw error;
  }
  // Safe: the payment exists (read above).
  return (await receiptOf(db, props.requestId)) as PaymentReceipt;
}

/** The refund id was written before with this body: answer it, move nothing. */
class RefundReplayed extends Error {
  override readonly name = 'RefundReplayed';
}

/**
 * In the ledger batch's transaction, under the payment's advisory lock: checks the refund
 * against those already made, records it, and answers its transfers.
 */
async function refundTransfers(
  trx: Transaction<Database>,
  payment: Payment,
  props: RefundProps,
): Promise<TransferInput[]> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`merchant-refund|${payment.request_id}`}, 0))`.execute(
    trx,
  );
  const same = await trx
    .selectFrom('merchant_refund')
    .select(['request_id', 'amount_minor'])
    .where('refund_id', '=', props.refundId)
    .executeTakeFirst();
  if (same !== undefined) {
    const sameBody =
      same.request_id === payment.request_id &&
      (props.amountMinor === undefined || BigInt(same.amount_minor) === props.amountMinor);
    if (!sameBody) {
      throw new AmparoError('AMP_IDEMPOTENCY_MISMATCH', {
        detail: 'This refund id was used for another refund',
      });
    }
    throw new RefundReplayed();
  }
  const before = await trx
    .selectFrom('merchant_refund')
    .select([
      sql<string>`coalesce(sum(amount_minor), 0)`.as('refunded'),
      sql<string>`count(*)`.as('refunds'),
    ])
    .where('request_id', '=', payment.request_id)
    .executeTakeFirstOrThrow();
  const refundedBefore = BigInt(before.refunded);
  const left = BigInt(payment.amount_minor) - refundedBefore;
  if (left === 0n)
    throw new PaymentsError('AMP_PAYMENT_REFUNDED', 'The payment was refunded in full');
  const amountMinor = props.amountMinor ?? left;
  if (amountMinor > left) {
    throw new PaymentsError(
      'AMP_REFUND_EXCEEDS_PAYMENT',
      `At most ${left} minor units of this payment are left to refund`,
      [{ field: '/amountMinor', reason: `at most ${left}` }],
    );
  }
  if (Number(before.refunds) >= limits.merchants.refundsPerPaymentMax) {
    throw new PaymentsError(
      'AMP_REFUNDS_TOO_MANY',
      `A payment is refunded at most ${limits.merchants.refundsPerPaymentMax} times`,
    );
  }
  const split = refundSplit(
    { amountMinor: BigInt(payment.amount_minor), subsidyMinor: BigInt(payment.subsidy_minor) },
    refundedBefore,
    amountMinor,
  );
  await trx
    .insertInto('merchant_refund')
    .values({
      request_id: payment.request_id,
      refund_id: props.refundId,
      amount_minor: amountMinor,
      payer_minor: split.payerMinor,
      subsidy_minor: split.subsidyMinor,
      refunded_by: props.operatorId,
      refunded_at: props.now,
    })
    .execute();
  return linkedRefund(payment, props.refundId, split);
}

/** The refund's transfers, every one but the last linked to the next: all or none. */
function linkedRefund(
  payment: Payment,
  refundId: string,
  split: { payerMinor: bigint; subsidyMinor: bigint },
): TransferInput[] {
  const ids = merchantRefundTransferIds(payment.request_id, refundId);
  const common = {
    debitAccountId: merchantAccountId(payment.merchant_id, payment.currency),
    currency: payment.currency,
    referenceKind: 'payment_request',
    referenceId: payment.request_id,
    reason: 'refund',
    flags: transferFlags.none,
  } as const;
  const transfers: TransferInput[] = [];
  if (split.payerMinor > 0n) {
    transfers.push({
      ...common,
      id: ids.payer,
      creditAccountId: walletAccountId(payment.payer_person_id, payment.currency),
      amountMinor: split.payerMinor,
    });
  }
  if (split.subsidyMinor > 0n) {
    // A payment has a subsidy only with its program (merchant-payer.ts writes both or neither).
    assert.ok(payment.program_id !== null, 'a subsidised payment names its program');
    transfers.push({
      ...common,
      id: ids.subsidy,
      creditAccountId: fundingAccountId(payment.program_id, payment.currency),
      amountMinor: split.subsidyMinor,
    });
  }
  return transfers.map((transfer, index) =>
    index < transfers.length - 1 ? { ...transfer, flags: transferFlags.linked } : transfer,
  );
}
