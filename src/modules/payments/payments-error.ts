import { defineErrors, type ErrorAnswer, ModuleError } from '../../platform/errors.js';

/**
 * The typed error of the payments module, registered with the platform's one error registry
 * so the problem handler answers it as problem+json. Each of these refusals posts nothing.
 *
 * @example
 *   throw new PaymentsError('AMP_AMOUNT_INVALID', 'The amount must be at least 1 minor unit');
 */
export const paymentsErrorCodes = [
  /** An amount of 0 or less, beyond 2^63 − 1, or not a whole number of minor units. */
  'AMP_AMOUNT_INVALID',
  /** The currency is not the account's, or not one the ledger holds. */
  'AMP_CURRENCY_MISMATCH',
  /** A ledger account named (a wallet, a program's funding account) does not exist. */
  'AMP_ACCOUNT_NOT_FOUND',
  /** The account does not hold enough for the transfer or the disbursement. */
  'AMP_FUNDS_INSUFFICIENT',
  /** The person's wallet is frozen (death, merge, erasure). */
  'AMP_WALLET_FROZEN',
  /** The cycle cannot be disbursed: not approved nor published (computing, closed …), not cash. */
  'AMP_CYCLE_NOT_DISBURSABLE',
  /**
   * The cycle is approved but not published: no money moves for it (a disbursement, a payout,
   * a subsidised share) before it is handed over, as distribution refuses its redemptions
   * (`AMP_ENTITLEMENT_PRE_ACTIVATED`, docs/DISTRIBUTION.md, "Entitlement states").
   */
  'AMP_CYCLE_NOT_PUBLISHED',
  /** The transfer id was already used with another request (Mojaloop 3106), or failed before. */
  'AMP_TRANSFER_REFUSED',
  /** A payment request that is not one Amparo signed: malformed, altered or forged. */
  'AMP_PAYMENT_REQUEST_INVALID',
  /** A payment request past its expiry. */
  'AMP_PAYMENT_REQUEST_EXPIRED',
  /** A payment request already paid: it is paid once. */
  'AMP_PAYMENT_REQUEST_USED',
  /** No payment PIN is set for the person. */
  'AMP_PIN_NOT_SET',
  /** The PIN is wrong (the answer says how many tries are left). */
  'AMP_PIN_WRONG',
  /** Five wrong PINs in a row locked it: a clerk at the counter sets a new one. */
  'AMP_PIN_LOCKED',
  /** The card shown at the counter is not valid (forged, revoked, expired, unknown). */
  'AMP_PAYMENT_CARD_REFUSED',
  /** The payment was already refunded in full. */
  'AMP_PAYMENT_REFUNDED',
  /** A refund of more than is left of the payment (the problem says how much is left). */
  'AMP_REFUND_EXCEEDS_PAYMENT',
  /** The payment was refunded `limits.merchants.refundsPerPaymentMax` times already. */
  'AMP_REFUNDS_TOO_MANY',
  /** A subsidised price, but the payer holds no open entitlement of the subsidising program. */
  'AMP_SUBSIDY_NOT_ENTITLED',
  /** A merchant's subsidising program that does not exist (the problem names the field). */
  'AMP_SUBSIDY_PROGRAM_UNKNOWN',
  /** The subsidising program is suspended: it pays no share until it resumes. */
  'AMP_SUBSIDY_PROGRAM_SUSPENDED',
  /**
   * Paying without the card: the ID number and PIN allow no payment here. One answer for an
   * unknown number, a PIN not set, wrong or locked, no wallet and a frozen one.
   */
  'AMP_COUNTER_PAYMENT_REFUSED',
  /** The merchant reached the day's bound of payments without the card. */
  'AMP_COUNTER_ASSISTED_LIMIT_REACHED',
  /** The second check of a payment without the card failed (`errors[0].code` says how). */
  'AMP_COUNTER_CHECK_FAILED',
  /**
   * A held PIN (a first PIN, one set soon after a change of phone, one staff set without the
   * texted code) pays nothing until its hold ends.
   */
  'AMP_PIN_HELD',
  /** Staff set a PIN only under a second check; a session opened by a printed code sets none. */
  'AMP_PIN_CHECK_REQUIRED',
  /** The second check is unknown, another's, expired, used, failed or not yet approved. */
  'AMP_PIN_CHECK_INVALID',
  /** The texted code is wrong (the check fails after a few). */
  'AMP_PIN_CHECK_CODE_WRONG',
  /** No phone on file to text a code to: the two-person check is the way. */
  'AMP_PIN_CHECK_NO_PHONE',
  /** The second operator must be another account than the one who started the check. */
  'AMP_PIN_CHECK_SAME_OPERATOR',
  /** The staff account set its daily number of PINs. */
  'AMP_PIN_STAFF_SETS_EXCEEDED',
  /** The merchant's counter typed its daily number of wrong PINs. */
  'AMP_MERCHANT_PIN_TRIES_EXCEEDED',
  /** A payee account is set only under a second check; a two-person one needs the photo checked. */
  'AMP_PAYEE_CHECK_REQUIRED',
  /** The payee account check is unknown, another's, expired, used, failed or not yet approved. */
  'AMP_PAYEE_CHECK_INVALID',
  /** The code texted for the payee account check is wrong (the check fails after a few). */
  'AMP_PAYEE_CHECK_CODE_WRONG',
  /** No phone on file to text the payee account code to: the two-person check is the way. */
  'AMP_PAYEE_CHECK_NO_PHONE',
  /** The payee account check's second operator must be another account than its starter. */
  'AMP_PAYEE_CHECK_SAME_OPERATOR',
  /** The staff account set its daily number of payee accounts. */
  'AMP_PAYEE_STAFF_SETS_EXCEEDED',
  /** The stop code of a held payee account change is wrong, used, or its hold is over. */
  'AMP_PAYEE_STOP_REFUSED',
  /** The program's share is more than is left of the payer's allowance for the cycle. */
  'AMP_SUBSIDY_ALLOWANCE_EXCEEDED',
  /** The merchant's share for the program is the whole price (or more): the payer always pays part. */
  'AMP_SUBSIDY_SHARE_INVALID',
  /** The approver is the maker (or not an operator): a second finance officer approves. */
  'AMP_APPROVAL_SAME_OPERATOR',
  /** Not approved yet (a batch's file, a merchant's payments), or not in a state to approve. */
  'AMP_APPROVAL_REQUIRED',
  /** The uploader of the statement that reported a payout return (or a non-operator) confirms it. */
  'AMP_RETURN_SAME_OPERATOR',
  /** A payout return confirmed or rejected for a payment with no return waiting. */
  'AMP_RETURN_NOT_PENDING',
  /** A payment to a new payee account that the approver did not confirm (the problem names it). */
  'AMP_PAYEE_CHANGE_UNCONFIRMED',
  /** A payee account the bank would refuse (the problem names each field), or of an erased person. */
  'AMP_PAYEE_ACCOUNT_INVALID',
  /**
   * No paying (debtor) account is stored for the program or settlement: a file always debits
   * the stored one, so a debtor named by the request is refused too.
   */
  'AMP_PAYING_ACCOUNT_REQUIRED',
  /** The debtor named is not the stored paying account (it changed since it was shown). */
  'AMP_PAYING_ACCOUNT_MISMATCH',
] as const;

export type PaymentsErrorCode = (typeof paymentsErrorCodes)[number];

export class PaymentsError extends ModuleError<PaymentsErrorCode> {
  override readonly name = 'PaymentsError';
}

const paymentsAnswers: Record<PaymentsErrorCode, ErrorAnswer> = {
  AMP_AMOUNT_INVALID: {
    status: 400,
    title: 'The amount must be a whole number of minor units from 1 to 2^63 − 1',
  },
  AMP_CURRENCY_MISMATCH: { status: 422, title: "The currency is not the account's" },
  AMP_ACCOUNT_NOT_FOUND: { status: 404, title: 'No such ledger account' },
  AMP_FUNDS_INSUFFICIENT: { status: 409, title: 'The account does not hold enough' },
  AMP_WALLET_FROZEN: { status: 409, title: 'The wallet is frozen' },
  AMP_CYCLE_NOT_DISBURSABLE: { status: 409, title: 'The cycle cannot be disbursed' },
  AMP_CYCLE_NOT_PUBLISHED: {
    status: 409,
    title: 'The cycle is not published yet: no money moves for it before its holders are told',
  },
  AMP_TRANSFER_REFUSED: { status: 409, title: 'The ledger refused the transfer' },
  AMP_PAYMENT_REQUEST_INVALID: { status: 422, title: 'The payment request is not valid' },
  AMP_PAYMENT_REQUEST_EXPIRED: { status: 410, title: 'The payment request has expired' },
  AMP_PAYMENT_REQUEST_USED: { status: 409, title: 'The payment request was already paid' },
  AMP_PIN_NOT_SET: { status: 409, title: 'No payment PIN is set' },
  AMP_PIN_WRONG: { status: 403, title: 'The PIN is wrong' },
  AMP_PIN_LOCKED: { status: 423, title: 'The PIN is locked after too many wrong tries' },
  AMP_PAYMENT_CARD_REFUSED: { status: 422, title: 'The card was refused by the verifier' },
  AMP_PAYMENT_REFUNDED: { status: 409, title: 'The payment was already refunded' },
  AMP_REFUND_EXCEEDS_PAYMENT: {
    status: 409,
    title: 'The refund is more than what is left of the payment',
  },
  AMP_REFUNDS_TOO_MANY: { status: 409, title: 'The payment was refunded too many times' },
  AMP_SUBSIDY_NOT_ENTITLED: {
    status: 409,
    title: 'The payer holds no entitlement of the program that subsidises this price',
  },
  AMP_SUBSIDY_PROGRAM_UNKNOWN: { status: 422, title: 'No such subsidising program' },
  AMP_SUBSIDY_PROGRAM_SUSPENDED: {
    status: 409,
    title: 'The program that subsidises this price is suspended',
  },
  AMP_COUNTER_PAYMENT_REFUSED: {
    status: 422,
    title: 'This ID number and PIN cannot pay here',
  },
  AMP_COUNTER_ASSISTED_LIMIT_REACHED: {
    status: 429,
    title: "The merchant reached today's bound of payments without the card",
  },
  AMP_COUNTER_CHECK_FAILED: {
    status: 422,
    title: 'The second check of a payment without the card failed',
  },
  AMP_PIN_HELD: { status: 423, title: 'The PIN is new and held for now' },
  AMP_PIN_CHECK_REQUIRED: { status: 403, title: 'Setting this PIN needs a second check' },
  AMP_PIN_CHECK_INVALID: { status: 409, title: 'The second check cannot set a PIN' },
  AMP_PIN_CHECK_CODE_WRONG: { status: 403, title: 'The texted code is wrong' },
  AMP_PIN_CHECK_NO_PHONE: { status: 409, title: 'No phone on file to text a code to' },
  AMP_PIN_CHECK_SAME_OPERATOR: {
    status: 403,
    title: 'A second operator, not the one who started the check, approves it',
  },
  AMP_PIN_STAFF_SETS_EXCEEDED: {
    status: 429,
    title: 'This account set as many PINs as it may today',
  },
  AMP_PAYEE_CHECK_REQUIRED: { status: 403, title: 'Setting a payee account needs a second check' },
  AMP_PAYEE_CHECK_INVALID: { status: 409, title: 'The second check cannot set a payee account' },
  AMP_PAYEE_CHECK_CODE_WRONG: {
    status: 403,
    title: 'The code texted for the payee account is wrong',
  },
  AMP_PAYEE_CHECK_NO_PHONE: {
    status: 409,
    title: 'No phone on file to text the payee account code to',
  },
  AMP_PAYEE_CHECK_SAME_OPERATOR: {
    status: 403,
    title: 'A second operator, not the one who started the payee account check, approves it',
  },
  AMP_PAYEE_STAFF_SETS_EXCEEDED: {
    status: 429,
    title: 'This account set as many payee accounts as it may today',
  },
  AMP_PAYEE_STOP_REFUSED: {
    status: 403,
    title: 'The payee account change cannot be stopped with this code',
  },
  AMP_MERCHANT_PIN_TRIES_EXCEEDED: {
    status: 429,
    title: 'This counter typed as many wrong PINs as it may today',
  },
  AMP_SUBSIDY_ALLOWANCE_EXCEEDED: {
    status: 409,
    title: "The program's share is more than is left of the payer's allowance for the cycle",
  },
  AMP_SUBSIDY_SHARE_INVALID: {
    status: 422,
    title: "A program's share must be below the whole price",
  },
  AMP_APPROVAL_SAME_OPERATOR: {
    status: 403,
    title: 'A second finance officer, not the maker, must approve',
  },
  AMP_APPROVAL_REQUIRED: { status: 409, title: 'A second finance officer has not approved it yet' },
  AMP_RETURN_SAME_OPERATOR: {
    status: 403,
    title:
      'A second finance officer, not the one who uploaded the statement, must confirm or reject the return',
  },
  AMP_RETURN_NOT_PENDING: {
    status: 409,
    title: 'No return of this payment waits for confirmation or rejection',
  },
  AMP_PAYEE_CHANGE_UNCONFIRMED: {
    status: 409,
    title: "A payment goes to an account other than the person's last paid one: confirm it",
  },
  AMP_PAYEE_ACCOUNT_INVALID: { status: 422, title: 'The payee account is not one a bank can pay' },
  AMP_PAYING_ACCOUNT_REQUIRED: {
    status: 409,
    title: 'No paying account is stored: a finance officer sets it once',
  },
  AMP_PAYING_ACCOUNT_MISMATCH: {
    status: 409,
    title: 'The paying account named is not the one stored',
  },
};

defineErrors({
  errorClass: PaymentsError,
  answers: paymentsAnswers,
  example: (code) => new PaymentsError(code, `Example of ${code}.`),
});
