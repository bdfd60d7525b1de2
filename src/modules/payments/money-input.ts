import { amountMax, type LedgerCurrency, ledgerCurrencies } from '../ledger/index.js';
import { PaymentsError } from './payments-error.js';

/**
 * An amount in minor units as a client sends it: a string of digits (JSON numbers cannot
 * hold 2^63 − 1 exactly) or a bigint. Refused with `AMP_AMOUNT_INVALID` when it is not a whole
 * number, is 0 or less, or is beyond the ledger's 2^63 − 1 — before anything is posted.
 *
 * @example
 *   amountFrom('150000'); // 150000n
 */
export function amountFrom(value: string | bigint, field = '/amountMinor'): bigint {
  let amount: bigint;
  if (typeof value === 'bigint') amount = value;
  else if (/^-?\d{1,40}$/.test(value)) amount = BigInt(value);
  else throw invalid(field, 'a whole number of minor units');
  if (amount <= 0n) throw invalid(field, 'more than 0');
  if (amount > amountMax) throw invalid(field, 'at most 2^63 − 1 (9223372036854775807)');
  return amount;
}

function invalid(field: string, reason: string): PaymentsError {
  return new PaymentsError('AMP_AMOUNT_INVALID', `The amount must be ${reason}`, [
    { field, reason: `must be ${reason}` },
  ]);
}

/** A currency the ledger holds, or `AMP_CURRENCY_MISMATCH`. */
export function currencyFrom(value: string, field = '/currency'): LedgerCurrency {
  if ((ledgerCurrencies as readonly string[]).includes(value)) return value as LedgerCurrency;
  throw new PaymentsError('AMP_CURRENCY_MISMATCH', `The ledger holds no ${value}`, [
    { field, reason: `one of ${ledgerCurrencies.join(', ')}` },
  ]);
}
