import type { TFunction } from 'i18next';
import { divisionName } from '../geography/divisions.js';
import type { Formatters } from '../i18n/format.js';
import { currentLanguage } from '../i18n/i18n.js';

/**
 * How one attribute value reads on screen: enum codes in words, places by name, dates in the
 * reader's language. Unknown values are shown as they are rather than hidden.
 *
 * @example
 *   attributeText('sex', 'F', t, format); // 'Femenino'
 */
export function attributeText(name: string, value: unknown, t: TFunction, format: Formatters) {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? t('common.yes') : t('common.no');
  if (typeof value === 'number') return format.number(value);
  const text = String(value);
  if (name === 'birth_date') return format.date(text);
  if (name.endsWith('_code') && name !== 'document_code') return divisionName(text);
  if (name === 'nationality' || name === 'document_country' || name === 'preferred_language') {
    return codeName(name === 'preferred_language' ? 'language' : 'region', text, t);
  }
  return t(`value.${name}.${text}`, { defaultValue: text });
}

/** A country or language by name in the reader's language, with its code ("Venezuela (VE)"). */
function codeName(type: 'region' | 'language', code: string, t: TFunction): string {
  const own = type === 'language' ? t(`languageName.${code}`, { defaultValue: '' }) : '';
  let named = own;
  try {
    named ||= new Intl.DisplayNames([currentLanguage()], { type, fallback: 'none' }).of(code) ?? '';
  } catch {
    // A code Intl cannot read (malformed): shown as it is.
  }
  return named !== '' && named.toLowerCase() !== code.toLowerCase() ? `${named} (${code})` : code;
}

/** The attribute's label in the reader's language; the catalogue name when none exists. */
export function attributeLabel(name: string, t: TFunction): string {
  return t(`attribute.${name}`, { defaultValue: name });
}

/** "Given names First-surname Second-surname" from a record's attributes. */
export function fullName(attributes: Record<string, unknown>): string {
  return ['given_names', 'first_surname', 'second_surname']
    .map((name) => attributes[name])
    .filter((part): part is string => typeof part === 'string' && part !== '')
    .join(' ');
}
