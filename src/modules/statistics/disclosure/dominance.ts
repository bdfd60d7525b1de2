/**
 * The p % dominance rule for amounts (issue #17, point 3): a cell of money is sensitive when
 * the second-largest contributor could estimate the largest contribution to within p % —
 * that is, when what remains after the two largest contributions is less than p % of the
 * largest. Amounts are bigint minor units, so the test is exact.
 *
 * @example
 *   dominanceSensitive([900_00n, 50_00n, 10_00n], 10); // true: 10.00 is under 10 % of 900.00
 */
export function dominanceSensitive(contributions: readonly bigint[], percent: number): boolean {
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
    throw new RangeError('the dominance percentage is an integer from 0 to 100');
  }
  if (contributions.length === 0) return false;
  const sorted = [...contributions].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  const total = sorted.reduce((sum, amount) => sum + amount, 0n);
  return dominatedTotal(total, sorted[0] ?? 0n, sorted[1] ?? 0n, percent);
}

/**
 * The same rule from a cell's total and its two largest contributions, which is all it
 * needs (a margin's two largest are the two largest of its parts' two largest).
 *
 * @example
 *   dominatedTotal(960_00n, 900_00n, 50_00n, 10); // true
 */
export function dominatedTotal(
  total: bigint,
  largest: bigint,
  second: bigint,
  percent: number,
): boolean {
  if (largest <= 0n) return false;
  return (total - largest - second) * 100n < BigInt(percent) * largest;
}
