import { malformed } from './bank-file-error.js';

/** The currencies a payout file or statement may carry: both have two decimals. */
export const payoutCurrencies = ['VES', 'USD'] as const;
export type PayoutCurrency = (typeof payoutCurrencies)[number];

export function isPayoutCurrency(value: string): value is PayoutCurrency {
  return (payoutCurrencies as readonly string[]).includes(value);
}

/**
 * The largest amount an ISO 20022 amount can hold with two decimals: the schema allows 18
 * digits in all (`totalDigits 18`), so 16 before the point.
 */
export const isoAmountMinorMax = 10n ** 18n - 1n;

/** Minor units as a decimal with two places: 123456n → "1234.56". Never through a float. */
export function decimal(amountMinor: bigint): string {
  const sign = amountMinor < 0n ? '-' : '';
  const magnitude = amountMinor < 0n ? -amountMinor : amountMinor;
  const cents = (magnitude % 100n).toString().padStart(2, '0');
  return `${sign}${magnitude / 100n}.${cents}`;
}

const isoDecimal = /^(\d{1,18})(?:\.(\d{1,5}))?$/;

/**
 * An ISO 20022 amount ("1250.5", "7", "0.070") as minor units of a two-decimal currency,
 * read from the text, never through a float. More than two non-zero decimals, a sign, an
 * exponent or a space is refused: a bank does not send them and guessing would move money.
 *
 * @example
 *   minorFromIsoDecimal('1250.5', 'Ntry[0]/Amt'); // 125050n
 */
export function minorFromIsoDecimal(text: string, where: string): bigint {
  const match = isoDecimal.exec(text);
  if (match === null) throw malformed(where, 'is not a decimal amount');
  const whole = match[1] ?? '0';
  const fraction = (match[2] ?? '').padEnd(5, '0');
  if (fraction.slice(2) !== '000') throw malformed(where, 'has more than two decimals');
  return BigInt(whole) * 100n + BigInt(fraction.slice(0, 2));
}

const swiftDecimal = /^(\d{1,15}),(\d{0,2})$/;

/**
 * A SWIFT MT amount ("1250,50", "7,", "0,5": a comma, up to two decimals) as minor units.
 *
 * @example
 *   minorFromSwiftDecimal('1250,5', 'line 7'); // 125050n
 */
export function minorFromSwiftDecimal(text: string, where: string): bigint {
  const match = swiftDecimal.exec(text);
  if (match === null) throw malformed(where, 'is not an MT amount (digits, a comma, 0-2 decimals)');
  return BigInt(match[1] ?? '0') * 100n + BigInt((match[2] ?? '').padEnd(2, '0'));
}
