import { randomInt } from 'node:crypto';
import { hasObviousPattern } from '../../../shared/uin/uin-rules.js';
import { verhoeffCheckDigit } from '../../../shared/uin/verhoeff.js';
import { uinDrawAttemptsMax, uinLength } from './limits.js';

// The rules that check a number are browser-safe and live apart (the console imports them).
export { hasObviousPattern, isValidUin } from '../../../shared/uin/uin-rules.js';

/**
 * The person ID number (UIN): 10 digits, never derived from personal data.
 *
 * - Nine random digits, each drawn with `crypto.randomInt`, then a Verhoeff check digit.
 *   Verhoeff because it catches every single mistyped digit and every swap of two neighbouring
 *   digits — the two commonest errors when a number is read aloud or typed — where Luhn misses
 *   09 ↔ 90.
 * - The first digit is 2–9, never 0 or 1: spreadsheets and phone keyboards strip a leading 0,
 *   and a leading 1 reads like a country or trunk prefix on phones.
 * - Numbers with an obvious pattern are redrawn so that no one receives a number that looks
 *   forged or memorable-by-design: three consecutive ascending or descending digits (123, 987;
 *   no wrap-around, so 890 is allowed) and four equal consecutive digits (4444), check digit
 *   included. This removes about 12% of candidates, leaving about 7 × 10^8 valid numbers.
 *   Uniqueness is the registry's job (unique index, redraw on conflict).
 */

/** Returns an integer uniformly distributed in [0, maxExclusive), like `crypto.randomInt`. */
export type RandomIntSource = (maxExclusive: number) => number;

const cryptoRandomInt: RandomIntSource = (maxExclusive) => randomInt(maxExclusive);

/**
 * Draws a new UIN. Pass `random` only in tests; production uses `crypto.randomInt`.
 *
 * @example
 * generateUin(); // e.g. '4072918365'
 */
export function generateUin(random: RandomIntSource = cryptoRandomInt): string {
  for (let attempt = 0; attempt < uinDrawAttemptsMax; attempt++) {
    let payload = String(2 + drawDigit(random, 8));
    for (let position = 1; position < uinLength - 1; position++) {
      payload += String(drawDigit(random, 10));
    }
    const candidate = payload + String(verhoeffCheckDigit(payload));
    if (!hasObviousPattern(candidate)) return candidate;
  }
  throw new Error(`no acceptable UIN after ${uinDrawAttemptsMax} draws: random source is broken`);
}

function drawDigit(random: RandomIntSource, maxExclusive: number): number {
  const value = random(maxExclusive);
  if (!Number.isInteger(value) || value < 0 || value >= maxExclusive) {
    throw new RangeError(`random source returned ${value} for [0, ${maxExclusive})`);
  }
  return value;
}
