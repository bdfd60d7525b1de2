import { describe, expect, it } from 'vitest';
import { validatePersonAttributes } from '../../modules/registry/catalogue/index.js';
import { isRefusalCode, refusalLanguageOf, refusalTexts, renderRefusal } from './refusals.js';

const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]);

describe('refusal reasons', () => {
  it('has every code in both languages, with the same parameters (Spanish may use an *Es twin)', () => {
    const codes = Object.keys(refusalTexts.en);
    expect(Object.keys(refusalTexts.es).sort()).toEqual([...codes].sort());
    for (const code of codes) {
      if (!isRefusalCode(code)) throw new Error(code);
      const english = placeholders(refusalTexts.en[code]).sort();
      const spanish = placeholders(refusalTexts.es[code]).map((name) =>
        name?.endsWith('Es') ? name.slice(0, -2) : name,
      );
      expect(spanish.sort(), code).toEqual(english);
      expect(refusalTexts.es[code], code).not.toBe(refusalTexts.en[code]);
    }
  });

  it('says a refusal in the language asked for', () => {
    const refusal = { code: 'one_of', params: { values: 'F, M' } } as const;
    expect(renderRefusal(refusal, 'en')).toBe('must be one of F, M');
    expect(renderRefusal(refusal, 'es')).toBe('debe ser uno de: F, M');
  });

  it('picks the language from lang, then Accept-Language, else Spanish', () => {
    expect(refusalLanguageOf('en', 'es-VE')).toBe('en');
    expect(refusalLanguageOf(undefined, 'en-GB,en;q=0.9')).toBe('en');
    expect(refusalLanguageOf(undefined, 'fr-FR, es;q=0.5')).toBe('es');
    expect(refusalLanguageOf(undefined, 'de')).toBe('es');
    expect(refusalLanguageOf(undefined, undefined)).toBe('es');
    expect(refusalLanguageOf('en_US.UTF-8')).toBe('en');
  });

  it("gives every catalogue refusal a code whose English sentence is the API's reason", () => {
    const result = validatePersonAttributes(
      {
        given_names: 'Ana1',
        first_surname: '',
        sex: 'X',
        birth_date: '1970',
        phone: '04121234567',
        nationality: 'XX',
        preferred_language: 'Spanish',
        parish_code: 'VE-A-01-01',
        shoe_size: 40,
        income_band: 3,
        document_number: 'A/1',
      },
      { today: new Date('2026-01-01T00:00:00Z') },
    );
    if (result.ok) throw new Error('expected refusals');
    expect(result.errors.length).toBeGreaterThan(8);
    for (const error of result.errors) {
      const code = error.code ?? '';
      expect(isRefusalCode(code), error.field).toBe(true);
      if (!isRefusalCode(code)) continue;
      expect(renderRefusal({ code, params: error.params }, 'en')).toBe(error.reason);
      expect(renderRefusal({ code, params: error.params }, 'es')).not.toMatch(/\{\{/);
    }
  });
});
