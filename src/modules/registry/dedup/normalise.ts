import { latinSkeleton } from '../../../platform/lookalikes.js';

/**
 * Spanish-aware normalisation of names and free text: the one place where a person's name
 * becomes a comparison key. Duplicate detection (batch and enrolment-time), search keys and
 * the bulk import (in its worker threads too) all go through `normaliseText`. The exact key
 * keeps ñ distinct (Peña is not Pena on a document); only phonetic keys fold it to n.
 */

/** Particles dropped from names: records often omit them ("de la Cruz" → "Cruz"). */
const particles: ReadonlySet<string> = new Set([
  'de',
  'del',
  'la',
  'las',
  'los',
  'y',
  'e',
  'da',
  'das',
  'do',
  'dos',
  'di',
  'van',
  'von',
]);

const placeholderEnye = '\u0001';
const placeholderEnyeUpper = '\u0002';

/**
 * Look-alikes folded to the Latin letters they imitate (`latinSkeleton`: NFKC, invisible
 * characters removed, Cyrillic and Greek look-alikes mapped, so "Mаriа" with Cyrillic а and
 * full-width "Ｍａｒｉａ" are "maria"), lower case, accents removed except ñ, apostrophes
 * joined, every other punctuation mark a space, spaces collapsed.
 *
 * @example
 * normaliseText("  JOSÉ-María  O'Brien ") // 'jose maria obrien'
 * normaliseText('Peña') // 'peña'
 */
export function normaliseText(raw: string): string {
  return latinSkeleton(raw)
    .normalize('NFC')
    .replaceAll('ñ', placeholderEnye)
    .replaceAll('Ñ', placeholderEnyeUpper)
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replaceAll(placeholderEnye, 'ñ')
    .replaceAll(placeholderEnyeUpper, 'ñ')
    .toLowerCase()
    .replace(/['’`´]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * The tokens of a name without particles, unless the name is only particles.
 *
 * @example
 * nameTokens('María de los Ángeles') // ['maria', 'angeles']
 * nameTokens('Pérez-Gómez y De la Cruz') // ['perez', 'gomez', 'cruz']
 */
export function nameTokens(raw: string): string[] {
  const tokens = normaliseText(raw)
    .split(' ')
    .filter((token) => token.length > 0);
  const kept = tokens.filter((token) => !particles.has(token));
  return kept.length > 0 ? kept : tokens;
}

/**
 * Only the digits of a value, for phones, codes and dates.
 *
 * @example
 * digitsOnly('+58 (412) 555-0101') // '584125550101'
 */
export function digitsOnly(raw: string): string {
  return raw.replace(/\D+/g, '');
}
