import { describe, expect, it } from 'vitest';
import { dominanceSensitive } from './dominance.js';

describe('the p % dominance rule', () => {
  it('marks a cell whose largest contribution the runner-up could estimate within p %', () => {
    // 900 + 50 + 10: the runner-up knows 960 − 50 − 10 … remainder 10 is 1.1 % of 900.
    expect(dominanceSensitive([900_00n, 50_00n, 10_00n], 10)).toBe(true);
    // Many similar contributions: the remainder is far above 10 % of the largest.
    expect(dominanceSensitive([100n, 90n, 80n, 70n, 60n], 10)).toBe(false);
  });

  it('is exact at the boundary: a remainder of exactly p % is not sensitive', () => {
    expect(dominanceSensitive([1000n, 500n, 100n], 10)).toBe(false);
    expect(dominanceSensitive([1000n, 500n, 99n], 10)).toBe(true);
  });

  it('treats one or two contributors as sensitive and no contributor as nothing to hide', () => {
    expect(dominanceSensitive([5000n], 10)).toBe(true);
    expect(dominanceSensitive([5000n, 5000n], 10)).toBe(true);
    expect(dominanceSensitive([], 10)).toBe(false);
  });

  it('refuses a percentage that is not a whole number from 0 to 100', () => {
    expect(() => dominanceSensitive([1n], 101)).toThrow(RangeError);
    expect(() => dominanceSensitive([1n], 2.5)).toThrow(RangeError);
  });
});
