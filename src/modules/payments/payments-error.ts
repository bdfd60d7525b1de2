import { defineErrors, type ErrorAnswer, type FieldError } from '../../platform/errors.js';

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
  /** The cycle cannot be disbursed: not approved or published, not a cash program. */
  'AMP_CYCLE_NOT_DISBURSABLE',
  /** The transfer id was already used with another request (Mojaloop 3106), or failed before. */
  'AMP_TRANSFER_REFUSED',
] as const;

export type PaymentsErrorCode = (typeof paymentsErrorCodes)[number];

export class PaymentsError extends Error {
  override readonly name = 'PaymentsError';
  readonly code: PaymentsErrorCode;
  readonly errors: readonly FieldError[] | undefined;

  constructor(code: PaymentsErrorCode, message: string, errors?: readonly FieldError[]) {
    super(message);
    this.code = code;
    this.errors = errors;
  }
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
  AMP_TRANSFER_REFUSED: { status: 409, title: 'The ledger refused the transfer' },
};

defineErrors({
  errorClass: PaymentsError,
  answers: paymentsAnswers,
  example: (code) => new PaymentsError(code, `Example of ${code}.`),
});
