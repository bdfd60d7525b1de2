import type { TFunction } from 'i18next';
import { divisionName } from '../geography/divisions.js';
import type { Formatters } from '../i18n/format.js';

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
  return t(`value.${name}.${text}`, { defaultValue: text });
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
