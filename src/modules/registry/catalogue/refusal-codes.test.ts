import { describe, expect, it } from 'vitest';
import { isRefusalCode, renderRefusal } from '../../../shared/import/refusals.js';
import { validatePersonAttributes } from './validate.js';

// The refusal texts themselves are tested in src/shared/import/refusals.test.ts; this checks
// that every refusal the catalogue gives has one of them.
describe('catalogue refusals', () => {
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
