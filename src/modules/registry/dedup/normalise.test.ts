import { describe, expect, it } from 'vitest';
import { digitsOnly, nameTokens, normaliseText } from './normalise.js';
import { prepareValue } from './prepared-value.js';

describe('normaliseText', () => {
  it('folds case and accents but keeps ñ distinct', () => {
    expect(normaliseText('JOSÉ Ángel Núñez')).toBe('jose angel nuñez');
    expect(normaliseText('Peña')).not.toBe(normaliseText('Pena'));
    expect(normaliseText('Güell')).toBe('guell');
  });

  it('treats a decomposed ñ (n + combining tilde) like the composed one', () => {
    expect(normaliseText('Pen\u0303a')).toBe('peña');
  });

  it('joins apostrophes and turns other punctuation into single spaces', () => {
    expect(normaliseText("  D'Ángelo--Pérez,  Jr. ")).toBe('dangelo perez jr');
  });
});

describe('nameTokens', () => {
  it('drops particles of compound surnames', () => {
    expect(nameTokens('De la Cruz')).toEqual(['cruz']);
    expect(nameTokens('Pérez-Gómez y de los Ríos')).toEqual(['perez', 'gomez', 'rios']);
    expect(nameTokens('María de las Mercedes')).toEqual(['maria', 'mercedes']);
  });

  it('keeps particles when nothing else is left', () => {
    expect(nameTokens('De la')).toEqual(['de', 'la']);
  });
});

describe('prepareValue', () => {
  it('gives swapped given names the same sorted key', () => {
    const a = prepareValue('given_name', 'María José');
    const b = prepareValue('given_name', 'José María');
    expect(a?.key).not.toBe(b?.key);
    expect(a?.sortedKey).toBe(b?.sortedKey);
  });

  it('reads dates with or without separators and keeps invalid dates as digits', () => {
    expect(prepareValue('date', '1984-05-12')?.key).toBe('19840512');
    expect(prepareValue('date', '19973015')?.year).toBe(1997);
    // A year alone (an approximate age) is kept as the year, never as an exact date.
    expect(prepareValue('date', '1984')?.year).toBe(1984);
    expect(prepareValue('date', '84')).toBeNull();
  });

  it('keeps the last eight digits of a phone number', () => {
    expect(prepareValue('phone', '+58 (412) 555-0101')?.key).toBe('25550101');
    expect(digitsOnly('a1b2')).toBe('12');
  });

  it('returns null for empty or missing values', () => {
    expect(prepareValue('surname', '  -- ')).toBeNull();
    expect(prepareValue('surname', null)).toBeNull();
  });
});
