import { describe, expect, it } from 'vitest';
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
});
