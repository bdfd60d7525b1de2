import { describe, expect, it } from 'vitest';
import { AmparoError } from '../../../platform/errors.js';
import { findParish, listMunicipalities } from '../../geography/divisions.js';
import { catalogueLimits } from './limits.js';
import {
  parsePersonAttributes,
  type ValidationResult,
  validateHouseholdAttributes,
  validatePersonAttributes,
} from './validate.js';

const today = new Date('2025-06-15T12:00:00Z');

const ana = {
  given_names: 'Ana María',
  first_surname: 'Pérez',
  second_surname: "D'Ambrosio",
  sex: 'F',
  birth_date: '1987-03-09',
  birth_date_approximate: false,
  state_code: 'VE-V',
  municipality_code: 'VE-V-13',
  parish_code: 'VE-V-13-01',
  preferred_language: 'es',
  nationality: 'VE',
  phone: '+584121234567',
  address_line: 'Calle 72, Casa Nro. 12',
  disability_status: 'none',
};

function errorsOf(result: ValidationResult): Record<string, string> {
  if (result.ok) throw new Error('expected a refusal');
  return Object.fromEntries(result.errors.map((error) => [error.field, error.reason]));
}

function check(changes: Record<string, unknown>) {
  return validatePersonAttributes(changes, { partial: true, today });
}

describe('validatePersonAttributes', () => {
  it('accepts a whole record and splits it into plain and sealed attributes', () => {
    const result = validatePersonAttributes(ana, { today });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.keys(result.sealed).sort()).toEqual([
      'address_line',
      'disability_status',
      'phone',
    ]);
    expect(result.plain.given_names).toBe('Ana María');
    expect(result.plain).not.toHaveProperty('phone');
  });

  it('the parish and municipality of the fixture exist, so the test checks what it claims', () => {
    expect(findParish('VE-V-13-01')?.municipalityCode).toBe('VE-V-13');
  });

  it('requires the required attributes on a whole record, not on a correction', () => {
    const { given_names: _, sex: __, ...rest } = ana;
    expect(errorsOf(validatePersonAttributes(rest, { today }))).toEqual({
      'body/attributes/given_names': 'is required',
      'body/attributes/sex': 'is required',
    });
    expect(check({ locality: 'Los Haticos' }).ok).toBe(true);
  });

  it('answers a forbidden attribute 403 before any other problem', () => {
    const result = check({ partido: 'PSUV', given_names: 42, shoe_size: 40 });
    expect(result).toMatchObject({
      ok: false,
      code: 'AMP_ATTRIBUTE_FORBIDDEN',
      errors: [
        {
          field: 'body/attributes/partido',
          reason: 'political affiliation is a category Amparo never holds',
          code: 'forbidden_category',
        },
      ],
    });
  });

  it('names an attribute that is not in the catalogue, or belongs to households', () => {
    const result = check({ shoe_size: 40, income_band: 2 });
    expect(result.ok === false && result.code).toBe('AMP_VALIDATION');
    expect(errorsOf(result)).toEqual({
      'body/attributes/shoe_size': 'is not an attribute of the catalogue',
      'body/attributes/income_band': 'is a household attribute, not a person attribute',
    });
  });

  it('refuses wrong types, over-long and empty strings and unknown enum values', () => {
    const errors = errorsOf(
      check({
        given_names: 42,
        first_surname: 'x'.repeat(catalogueLimits.nameLengthMax + 1),
        second_surname: '   ',
        sex: 'female',
        birth_date_approximate: 'yes',
        locality: 'Sector\u0000Norte',
      }),
    );
    expect(Object.keys(errors).sort()).toEqual(
      [
        'birth_date_approximate',
        'first_surname',
        'given_names',
        'locality',
        'second_surname',
        'sex',
      ].map((name) => `body/attributes/${name}`),
    );
    expect(errors['body/attributes/first_surname']).toContain('at most 100');
  });

  it('counts length in characters, so accented and indigenous names are not cut short', () => {
    expect(check({ given_names: 'ñ'.repeat(catalogueLimits.nameLengthMax) }).ok).toBe(true);
    expect(check({ given_names: 'Ana3' }).ok).toBe(false);
  });

  it('lets optional attributes be cleared with null, but never a required one', () => {
    expect(check({ second_surname: null, phone: null }).ok).toBe(true);
    expect(errorsOf(check({ given_names: null }))).toEqual({
      'body/attributes/given_names': 'is required and cannot be cleared',
    });
  });
});

describe('dates of birth', () => {
  it('refuses impossible and future dates, and dates beyond the oldest age', () => {
    for (const birth_date of [
      '2023-02-29',
      '1990-13-01',
      '1990-04-31',
      '2025-06-16',
      '1894-12-31',
      '87-03-09',
      '1987-3-9',
    ]) {
      expect(check({ birth_date }).ok, birth_date).toBe(false);
    }
    for (const birth_date of ['2024-02-29', '2025-06-15', '1895-01-01']) {
      expect(check({ birth_date }).ok, birth_date).toBe(true);
    }
  });

  it('accepts a year alone only with the approximate flag, and not a future year', () => {
    expect(errorsOf(check({ birth_date: '1941' }))).toEqual({
      'body/attributes/birth_date': 'a year alone needs birth_date_approximate: true',
    });
    expect(check({ birth_date: '1941', birth_date_approximate: true }).ok).toBe(true);
    expect(check({ birth_date: '2026', birth_date_approximate: true }).ok).toBe(false);
    // An estimated full date is allowed too: "about 70, born around New Year".
    expect(check({ birth_date: '1955-01-01', birth_date_approximate: true }).ok).toBe(true);
  });

  it('compares with the reference date it is given', () => {
    const later = new Date('2030-01-01T00:00:00Z');
    expect(
      validatePersonAttributes({ birth_date: '2027-05-05' }, { partial: true, today: later }).ok,
    ).toBe(true);
  });
});

describe('addresses', () => {
  it('refuses unknown codes and a parish outside its municipality', () => {
    const other = listMunicipalities().find((m) => m.code !== 'VE-V-13' && m.stateCode === 'VE-V');
    const foreignParish = other?.parishes[0]?.code ?? '';
    expect(foreignParish).not.toBe('');
    expect(
      errorsOf(
        check({ state_code: 'VE-V', municipality_code: 'VE-V-13', parish_code: foreignParish }),
      ),
    ).toEqual({
      'body/attributes/parish_code': 'is not a parish of municipality_code',
    });
    expect(errorsOf(check({ state_code: 'VE-A', municipality_code: 'VE-V-13' }))).toEqual({
      'body/attributes/municipality_code': 'is not a municipality of state_code',
    });
    expect(check({ state_code: 'VE-Q' }).ok).toBe(false);
    expect(check({ birth_state_code: 'VE-V-13' }).ok).toBe(false);
  });

  it('needs the coarser codes with a finer one', () => {
    expect(errorsOf(check({ parish_code: 'VE-V-13-01' }))).toEqual({
      'body/attributes/parish_code': 'needs municipality_code',
    });
  });
});

describe('phones, e-mail, countries, languages', () => {
  it('accepts Venezuelan mobiles and landlines and foreign E.164 numbers', () => {
    for (const phone of [
      '+584121234567',
      '+582121234567',
      '+573001234567',
      '+34612345678',
      '+12025550123',
    ]) {
      expect(check({ phone }).ok, phone).toBe(true);
    }
  });

  it('refuses national formats, short Venezuelan numbers and non-E.164 text', () => {
    for (const phone of [
      '04121234567',
      '+58412123456',
      '+5841212345678',
      '+58 412 1234567',
      '+581121234567',
      '+0123456789',
      'phone',
    ]) {
      expect(check({ phone }).ok, phone).toBe(false);
    }
  });

  it('checks e-mail addresses conservatively', () => {
    for (const email of [
      'ana.perez@example.com',
      'ana+beneficios@correo.gob.ve',
      'x@xn--80ak6aa92e.com',
    ]) {
      expect(check({ email }).ok, email).toBe(true);
    }
    for (const email of [
      'ana',
      'ana@',
      '@example.com',
      'ana@example',
      'a..b@example.com',
      'ana @example.com',
      `${'a'.repeat(65)}@example.com`,
    ]) {
      expect(check({ email }).ok, email).toBe(false);
    }
  });

  it('checks country and language codes', () => {
    expect(check({ nationality: 'CO', document_country: 'PE' }).ok).toBe(true);
    expect(check({ nationality: 'XQ' }).ok).toBe(false);
    expect(check({ nationality: 've' }).ok).toBe(false);
    expect(check({ preferred_language: 'guc' }).ok).toBe(true);
    expect(check({ preferred_language: 'Spanish' }).ok).toBe(false);
  });
});

describe('photos', () => {
  const jpegHeader = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]);
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);

  it('accepts a JPEG or PNG up to the size limit', () => {
    const jpeg = Buffer.concat([
      jpegHeader,
      Buffer.alloc(catalogueLimits.photoBytesMax - jpegHeader.length),
    ]);
    expect(check({ photo: jpeg.toString('base64') }).ok).toBe(true);
    expect(check({ photo: png.toString('base64') }).ok).toBe(true);
  });

  it('refuses a photo one byte too large, another format, or broken base64', () => {
    const tooLarge = Buffer.concat([
      jpegHeader,
      Buffer.alloc(catalogueLimits.photoBytesMax + 1 - jpegHeader.length),
    ]);
    expect(
      errorsOf(check({ photo: tooLarge.toString('base64') }))['body/attributes/photo'],
    ).toContain(`at most ${catalogueLimits.photoBytesMax} bytes`);
    expect(check({ photo: Buffer.from('GIF89a......').toString('base64') }).ok).toBe(false);
    expect(check({ photo: 'not base64!' }).ok).toBe(false);
  });
});

describe('households and errors for routes', () => {
  it('validates household attributes separately', () => {
    expect(validateHouseholdAttributes({ income_band: 3 }).ok).toBe(true);
    expect(validateHouseholdAttributes({ income_band: 6 }).ok).toBe(false);
    expect(validateHouseholdAttributes({ income_band: 2.5 }).ok).toBe(false);
  });

  it('throws the AmparoError a route sends, with field errors under its own prefix', () => {
    const attempt = () =>
      parsePersonAttributes({ sindicato: 'x' }, { partial: true, pathPrefix: 'record/attributes' });
    expect(attempt).toThrowError(AmparoError);
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({
        code: 'AMP_ATTRIBUTE_FORBIDDEN',
        status: 403,
        errors: [
          {
            field: 'record/attributes/sindicato',
            reason: 'trade-union membership is a category Amparo never holds',
          },
        ],
      });
    }
    expect(() => parsePersonAttributes([], {})).toThrowError(/not valid/);
  });
});
