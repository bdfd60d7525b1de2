import { digitsOnly, nameTokens, normaliseText } from './normalise.js';
import { spanishPhoneticKey } from './phonetic-key.js';
import type { FieldKind, FieldValue } from './types.js';

/**
 * A field value normalised once, so that comparisons never normalise again. Values are
 * interned per column: two records with the same key share one PreparedValue.
 */
export interface PreparedValue {
  /** Exact comparison key: normalised text, digits, or YYYYMMDD. */
  readonly key: string;
  readonly tokens: readonly string[];
  /** Tokens sorted and joined: equal when the same names come in another order. */
  readonly sortedKey: string;
  /** Key without spaces: "jac ob" and "jacob" are one name. */
  readonly compactKey: string;
  /** Phonetic key of every token, in token order (names only, else empty). */
  readonly phoneticTokens: readonly string[];
  readonly phoneticKey: string;
  /** Birth year for dates, -1 when the date has no readable year or the field is no date. */
  readonly year: number;
}

const noTokens: readonly string[] = [];

/**
 * Normalises a raw value for a field kind; null when nothing comparable is left.
 *
 * @example
 * prepareValue('surname', 'De la Cruz')?.key // 'cruz'
 * prepareValue('date', '1984-05-12')?.key // '19840512'
 */
export function prepareValue(kind: FieldKind, raw: FieldValue): PreparedValue | null {
  if (raw === null || raw === undefined) return null;
  switch (kind) {
    case 'given_name':
    case 'surname':
    case 'full_name':
      return prepareName(raw);
    case 'date':
      return prepareDate(raw);
    case 'phone':
      return prepareDigits(digitsOnly(raw).slice(-8));
    case 'code':
    case 'identifier':
    case 'number':
      return prepareDigits(normaliseText(raw).replaceAll(' ', ''));
    case 'digest':
      return prepareDigits(raw.trim());
    case 'text':
    case 'category':
      return prepareText(normaliseText(raw));
  }
}

function prepareName(raw: string): PreparedValue | null {
  const tokens = nameTokens(raw);
  if (tokens.length === 0) return null;
  const phoneticTokens = tokens.map(spanishPhoneticKey);
  return {
    key: tokens.join(' '),
    tokens,
    sortedKey: [...tokens].sort().join(' '),
    compactKey: tokens.join(''),
    phoneticTokens,
    phoneticKey: phoneticTokens.join(''),
    year: -1,
  };
}

function prepareText(key: string): PreparedValue | null {
  if (key.length === 0) return null;
  const tokens = key.split(' ');
  return {
    key,
    tokens,
    sortedKey: [...tokens].sort().join(' '),
    compactKey: tokens.join(''),
    phoneticTokens: noTokens,
    phoneticKey: '',
    year: -1,
  };
}

function prepareDigits(key: string): PreparedValue | null {
  if (key.length === 0) return null;
  return {
    key,
    tokens: [key],
    sortedKey: key,
    compactKey: key,
    phoneticTokens: noTokens,
    phoneticKey: '',
    year: -1,
  };
}

/**
 * Dates keep their digits even when invalid (19973015): a typo is still evidence. A date
 * known only by its year (YYYY, an approximate age) keeps the year alone.
 */
function prepareDate(raw: string): PreparedValue | null {
  const key = digitsOnly(raw);
  if (key.length !== 8 && key.length !== 4) return null;
  const base = prepareDigits(key);
  if (base === null) return null;
  const year = Number(key.slice(0, 4));
  return { ...base, year: year >= 1850 ? year : -1 };
}
