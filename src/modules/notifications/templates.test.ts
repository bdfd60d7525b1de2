import { describe, expect, it } from 'vitest';
import { attributeCatalogue } from '../registry/catalogue/attributes.js';
import { smsLayout, smsParts } from './segments.js';
import {
  defineTemplate,
  maskedText,
  renderText,
  secretVariables,
  splitParameters,
  TemplateError,
  templateFor,
  templates,
} from './templates.js';

/** Templates and segment counting (issue 14, points 2 and 4). */
describe('templates', () => {
  it('renders in Spanish and English with typed variables', () => {
    const parameters = { code: '042917', validMinutes: '10' };
    expect(renderText('citizen.sign_in_code', 'es', parameters)).toBe(
      'Amparo: su código de acceso es 042917 (vale 10 min).',
    );
    expect(renderText('citizen.sign_in_code', 'en', parameters)).toBe(
      'Your Amparo sign-in code is 042917 (valid 10 min).',
    );
    expect(() => renderText('citizen.sign_in_code', 'es', { code: '042917' })).toThrow(
      /needs \{validMinutes\}/,
    );
    expect(() =>
      renderText('citizen.sign_in_code', 'es', { code: 'Pérez', validMinutes: '10' }),
    ).toThrow(/not a code/);
    expect(() =>
      renderText('citizen.sign_in_code', 'es', { ...parameters, phone: '+58412' }),
    ).toThrow(/no variable \{phone\}/);
  });

  it('refuses, when defined, a template missing a variable or longer than the segment limit', () => {
    const base = { id: 'test.x', requested: false, ttlMs: 1000 };
    expect(() =>
      defineTemplate({ ...base, variables: {}, text: { es: 'Hola {place}', en: 'Hi' } }),
    ).toThrow(TemplateError);
    expect(() =>
      defineTemplate({
        ...base,
        variables: { place: 'place' },
        text: { es: 'Hola {place}', en: 'Hi' },
      }),
    ).toThrow(/\(en\) does not say its variable \{place\}/);
    expect(() =>
      defineTemplate({
        ...base,
        variables: {},
        text: { es: 'á'.repeat(300), en: 'ok' },
      }),
    ).toThrow(/more than 4 SMS/);
  });

  it('carries no sealed attribute and no personal attribute at all', () => {
    const attributeNames = new Set(attributeCatalogue.attributes.map((a) => a.name));
    for (const template of templates.values()) {
      for (const name of Object.keys(template.variables)) {
        expect(attributeNames.has(name), `${template.id}: {${name}}`).toBe(false);
      }
      // The kinds are a closed set of non-personal values (code, count, date, place …); an
      // account's last four digits (the payee notice), never the account itself; a local time.
      const kinds = ['code', 'count', 'date', 'time', 'place', 'program', 'amount', 'reference'];
      for (const kind of Object.values(template.variables)) {
        expect([...kinds, 'accountEnding']).toContain(kind);
      }
    }
  });

  it('declares every code secret: a text that speaks of a code carries it as a secret', () => {
    // The words a text uses for a one-time code, in es and en.
    const speaksOfCode = /c[oó]digo|\bcode\b/i;
    for (const template of templates.values()) {
      const secret = secretVariables(template);
      const says = Object.values(template.text).some((text) => speaksOfCode.test(text));
      expect(secret.length > 0, template.id).toBe(says);
      for (const [name, kind] of Object.entries(template.variables)) {
        if (kind === 'code') expect(secret, `${template.id}: {${name}}`).toContain(name);
      }
    }
    // And defining one that forgets its code, or lists one it lacks, is refused at load.
    const base = { id: 'test.code', requested: true, ttlMs: 1000 };
    const text = { es: 'Su código es {code}.', en: 'Your code is {code}.' };
    expect(() => defineTemplate({ ...base, variables: { code: 'code' }, text })).toThrow(
      /does not list its code \{code\} as secret/,
    );
    expect(() =>
      defineTemplate({ ...base, variables: { code: 'code' }, secret: ['code', 'pin'], text }),
    ).toThrow(/lists \{pin\} as secret, which it does not declare/);
  });

  it('splits the secret values from the clear ones, and shows a text with its code as dots', () => {
    const template = templateFor('payments.payment_code');
    const parameters = { code: '042917', amount: '15.00 VES', validMinutes: '10' };
    expect(splitParameters(template, parameters)).toEqual({
      clear: { amount: '15.00 VES', validMinutes: '10' },
      secret: { code: '042917' },
    });
    expect(splitParameters(templateFor('registry.enrolled'), {})).toEqual({
      clear: {},
      secret: null,
    });
    expect(
      maskedText('payments.payment_code', 'en', { amount: '15.00 VES', validMinutes: '10' }),
    ).toBe(
      'Amparo: your code to pay 15.00 VES without your card is •••••• (valid 10 min). If you are not paying, do not give it.',
    );
    // A code left in the clear values (a row from before migration 0142) is never shown.
    expect(maskedText('citizen.sign_in_code', 'es', { code: '042917', validMinutes: '10' })).toBe(
      'Amparo: su código de acceso es •••••• (vale 10 min).',
    );
    expect(() => maskedText('citizen.sign_in_code', 'es', { validMinutes: 'diez' })).toThrow(
      TemplateError,
    );
  });

  it('names no benefit, health condition or program unless the template is the named one', () => {
    const telling =
      /salud|health|medic|discapac|disabil|embaraz|pregnan|bolsa|caja|food|aliment|pensi|bono|bonus|clap/i;
    for (const template of templates.values()) {
      for (const text of Object.values(template.text)) {
        expect(text, template.id).not.toMatch(telling);
      }
      expect(template.id.endsWith('_named'), template.id).toBe('program' in template.variables);
    }
  });

  it('counts segments: GSM-7 unless a character needs UCS-2, concatenated parts smaller', () => {
    expect(smsLayout('Año: ¿señor?')).toEqual({ encoding: 'gsm7', units: 12, segments: 1 });
    expect(smsLayout('código')).toEqual({ encoding: 'ucs2', units: 6, segments: 1 });
    expect(smsLayout('€'.repeat(80)).segments).toBe(1); // 160 septets
    expect(smsLayout('€'.repeat(81)).segments).toBe(2);
    expect(smsLayout('a'.repeat(161)).segments).toBe(2);
    expect(smsLayout('a'.repeat(307)).segments).toBe(3);
    expect(smsLayout('á'.repeat(70)).segments).toBe(1);
    expect(smsLayout('á'.repeat(71)).segments).toBe(2);
    const gsm = smsParts('{'.repeat(100));
    // An escape pair is never cut: 76 pairs (152 septets) fit in the first part.
    expect(gsm.parts.map((p) => p.length)).toEqual([152, 48]);
    // A surrogate pair is never cut: 66 + 2 units would pass 67, so the emoji starts part 2.
    const ucs = smsParts(`${'á'.repeat(66)}😀bbb`);
    expect(ucs.parts.map((p) => p.length / 2)).toEqual([66, 5]);
  });
});
