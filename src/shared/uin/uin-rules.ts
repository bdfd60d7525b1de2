import { uinLength } from './limits.js';
import { verhoeffValidate } from './verhoeff.js';

/**
 * What makes a person ID number (UIN) well formed, apart from how one is drawn (uin.ts): pure
 * functions with no Node import, so the console checks a typed number with the very rules the
 * server applies, as the person types, instead of a copy of them.
 */

const uinPattern = /^[2-9][0-9]{9}$/;

/**
 * True for a well-formed UIN: 10 digits, first digit 2–9, correct Verhoeff check digit and no
 * refused pattern. Accepts only the bare digits (no spaces or dashes): callers normalise input.
 *
 * @example
 * isValidUin(generateUin()); // true
 * isValidUin('0123456789');  // false
 */
export function isValidUin(value: string): boolean {
  return uinPattern.test(value) && verhoeffValidate(value) && !hasObviousPattern(value);
}

/**
 * True when a digit string contains three consecutive ascending or descending digits or four
 * equal consecutive digits.
 *
 * @example
 * hasObviousPattern('2764441235'); // true (123)
 * hasObviousPattern('2764440235'); // false
 */
export function hasObviousPattern(digits: string): boolean {
  let ascendingRun = 1;
  let descendingRun = 1;
  let equalRun = 1;
  for (let i = 1; i < digits.length; i++) {
    const step = digits.charCodeAt(i) - digits.charCodeAt(i - 1);
    ascendingRun = step === 1 ? ascendingRun + 1 : 1;
    descendingRun = step === -1 ? descendingRun + 1 : 1;
    equalRun = step === 0 ? equalRun + 1 : 1;
    if (ascendingRun >= 3 || descendingRun >= 3 || equalRun >= 4) return true;
  }
  return false;
}

/** Why a typed ID number is not valid yet, or null when it is. */
export type UinProblem = 'incomplete' | 'format' | 'check_digit';

/**
 * The first problem of a typed ID number, for a message while typing: fewer than 10 digits is
 * `incomplete`; a non-digit, an 11th digit or a leading 0 or 1 is `format`; a wrong Verhoeff
 * check digit or a refused pattern is `check_digit` (a mistyped digit is by far the likelier).
 *
 * @example
 * uinProblem('50729');      // 'incomplete'
 * uinProblem('5072946181'); // 'check_digit'
 * uinProblem('5072946180'); // null
 */
export function uinProblem(value: string): UinProblem | null {
  if (!/^[0-9]*$/.test(value) || value.length > uinLength || /^[01]/.test(value)) return 'format';
  if (value.length < uinLength) return 'incomplete';
  return isValidUin(value) ? null : 'check_digit';
}
