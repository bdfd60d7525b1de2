import { treeSizeMax } from './limits.js';

/*
 * Integer helpers for tree sizes and indices. JavaScript bit operators work on 32 bits, and an
 * audit log may grow past 2^32 entries, so everything here uses exact arithmetic on safe
 * integers instead of `>>`, `&` or `Math.clz32`.
 */

/**
 * Largest power of two strictly smaller than `n` (the split point k of RFC 9162 §2.1.1).
 *
 * @example
 * largestPowerOfTwoBelow(8); // 4
 * largestPowerOfTwoBelow(7); // 4
 */
export function largestPowerOfTwoBelow(n: number): number {
  if (!Number.isSafeInteger(n) || n < 2) {
    throw new RangeError(`largestPowerOfTwoBelow needs an integer n >= 2, got ${n}`);
  }
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** True for 1, 2, 4, 8, …; false for 0 and everything else. */
export function isPowerOfTwo(n: number): boolean {
  if (!Number.isSafeInteger(n) || n < 1) return false;
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}

/** Number of 1 bits of a safe non-negative integer: how many perfect subtrees a tree of size n has. */
export function countOneBits(n: number): number {
  let ones = 0;
  let rest = n;
  while (rest > 0) {
    ones += rest % 2;
    rest = Math.floor(rest / 2);
  }
  return ones;
}

/** Throws unless `size` is a valid tree size (a safe integer in [0, treeSizeMax]). */
export function assertTreeSize(size: number, what = 'tree size'): void {
  if (!Number.isSafeInteger(size) || size < 0 || size > treeSizeMax) {
    throw new RangeError(`${what} must be an integer in [0, ${treeSizeMax}], got ${size}`);
  }
}
