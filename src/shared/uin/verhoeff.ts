/**
 * Verhoeff check digit (J. Verhoeff, "Error Detecting Decimal Codes", 1969). It works in the
 * dihedral group D5 instead of modular arithmetic, which is why it detects every single-digit
 * error and every transposition of adjacent digits — Luhn, for example, misses 09 ↔ 90.
 *
 * The tables are the published ones (Wikipedia "Verhoeff algorithm", Rosetta Code task of the
 * same name): `multiplication` is D5's Cayley table, `permutation[i]` is `permutation[1]` applied
 * i times, `inverse[j]` is j's inverse in D5.
 */

export const verhoeffMultiplication: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];

export const verhoeffPermutation: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

export const verhoeffInverse: readonly number[] = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

const digitsPattern = /^[0-9]+$/;

/**
 * Check digit to append to a string of decimal digits.
 *
 * @example
 * verhoeffCheckDigit('236'); // 3, so the full number is 2363
 */
export function verhoeffCheckDigit(digits: string): number {
  if (!digitsPattern.test(digits)) throw new RangeError('expected one or more decimal digits');
  // The check digit will sit at position 0 (right-most), so the payload starts at position 1.
  return verhoeffInverse[checksum(digits, 1)]!;
}

/**
 * True when `number` (digits only, check digit last) has a correct Verhoeff check digit.
 * Returns false, never throws, for anything that is not a string of digits.
 *
 * @example
 * verhoeffValidate('2363'); // true
 * verhoeffValidate('2336'); // false: adjacent transposition detected
 */
export function verhoeffValidate(number: string): boolean {
  return digitsPattern.test(number) && checksum(number, 0) === 0;
}

/** Folds the digits right to left, the right-most one at position `firstPosition`. */
function checksum(digits: string, firstPosition: number): number {
  let c = 0;
  for (let i = 0; i < digits.length; i++) {
    const digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    c = verhoeffMultiplication[c]![verhoeffPermutation[(i + firstPosition) % 8]![digit]!]!;
  }
  return c;
}
