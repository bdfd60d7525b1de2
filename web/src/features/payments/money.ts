/**
 * An amount in minor units (text, as the API sends it) in the reader's language, without a
 * float ever holding it: "2000" VES → "20,00 Bs." in Spanish, "Bs. 20.00" in English.
 *
 * @example
 *   moneyText('2000', 'VES', 'es'); // '20,00 Bs.'
 */
export function moneyText(minor: string, currency: string, language: string): string {
  const negative = minor.startsWith('-');
  const digits = (negative ? minor.slice(1) : minor).padStart(3, '0');
  const whole = BigInt(digits.slice(0, -2));
  const cents = digits.slice(-2);
  const locale = language === 'en' ? 'en-GB' : 'es-VE';
  const parts = new Intl.NumberFormat(locale, { style: 'currency', currency }).formatToParts(1.5);
  const decimal = parts.find((part) => part.type === 'decimal')?.value ?? ',';
  const grouped = new Intl.NumberFormat(locale, { useGrouping: true }).format(whole);
  const symbol = parts.find((part) => part.type === 'currency')?.value ?? currency;
  const symbolFirst = parts.findIndex((part) => part.type === 'currency') === 0;
  const amount = `${negative ? '−' : ''}${grouped}${decimal}${cents}`;
  return symbolFirst ? `${symbol} ${amount}` : `${amount} ${symbol}`;
}

/**
 * Minor units from an amount a person types ("20", "20,5", "20.50"), or undefined when it is
 * not one; never through a float.
 *
 * @example
 *   minorFromText('20,50'); // '2050'
 */
export function minorFromText(text: string): string | undefined {
  const match = /^([0-9]{1,15})(?:[.,]([0-9]{1,2}))?$/.exec(text.trim());
  if (!match) return undefined;
  const minor = BigInt(match[1] ?? '0') * 100n + BigInt((match[2] ?? '').padEnd(2, '0'));
  return minor > 0n ? minor.toString() : undefined;
}
