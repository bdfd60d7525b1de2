import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Claim169, decodeClaim169, encodeClaim169 } from './claim169.js';
import { CredentialCodecError } from './credential-codec-error.js';

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    return error instanceof CredentialCodecError ? error.code : 'not a CredentialCodecError';
  }
}

describe('claim 169 map', () => {
  it('uses the integer keys of the specification table', () => {
    const photo = new Uint8Array([0xff, 0xd8]);
    const face = new Uint8Array([1, 2, 3]);
    const map = encodeClaim169({
      id: '4829175036',
      version: '1.0',
      language: 'spa',
      fullName: 'Ana María Pérez',
      firstName: 'Ana',
      middleName: 'María',
      lastName: 'Pérez',
      dateOfBirth: '19880102',
      gender: 'female',
      address: 'Calle 1\nCaracas',
      email: 'ana@example.org',
      phone: '+58 212 555 0101',
      nationality: 'VE',
      maritalStatus: 'married',
      guardian: 'Rosa Pérez',
      photo,
      photoFormat: 'webp',
      bestQualityFingers: [1, 6],
      secondaryFullName: 'Ana M. Pérez',
      secondaryLanguage: 'eng',
      locationCode: '849VCWC8+R9',
      legalStatus: 'Refugee',
      countryOfIssuance: 'VE',
      face: [{ data: face, format: 0, subFormat: 4, issuer: 'Amparo' }],
      voice: [{ data: face, format: 2, subFormat: 1 }],
    });
    expect([...map.entries()]).toEqual([
      [1, '4829175036'],
      [2, '1.0'],
      [3, 'spa'],
      [4, 'Ana María Pérez'],
      [5, 'Ana'],
      [6, 'María'],
      [7, 'Pérez'],
      [8, '19880102'],
      [9, 2],
      [10, 'Calle 1\nCaracas'],
      [11, 'ana@example.org'],
      [12, '+58 212 555 0101'],
      [13, 'VE'],
      [14, 2],
      [15, 'Rosa Pérez'],
      [16, photo],
      [17, 4],
      [18, [1, 6]],
      [19, 'Ana M. Pérez'],
      [20, 'eng'],
      [21, '849VCWC8+R9'],
      [22, 'Refugee'],
      [23, 'VE'],
      [
        62,
        [
          new Map<number, unknown>([
            [0, face],
            [1, 0],
            [2, 4],
            [3, 'Amparo'],
          ]),
        ],
      ],
      [
        65,
        [
          new Map<number, unknown>([
            [0, face],
            [1, 2],
            [2, 1],
          ]),
        ],
      ],
    ]);
  });

  it.each([
    [9, 1, { gender: 'male' }],
    [9, 3, { gender: 'other' }],
    [14, 1, { maritalStatus: 'unmarried' }],
    [14, 3, { maritalStatus: 'divorced' }],
    [17, 1, { photoFormat: 'jpeg' }],
    [17, 2, { photoFormat: 'jpeg2000' }],
    [17, 3, { photoFormat: 'avif' }],
  ])('reads enumeration key %i value %i', (key, value, expected) => {
    expect(decodeClaim169(new Map([[key, value]]))).toEqual(expected);
  });

  it('keeps unknown keys apart and writes them back', () => {
    const map = new Map<unknown, unknown>([
      [4, 'Ana'],
      [99, 'reserved'],
      ['x', 1],
      [30, new Uint8Array([9])],
    ]);
    const claims = decodeClaim169(map);
    expect(claims.fullName).toBe('Ana');
    expect(Object.keys(claims).sort()).toEqual(['fullName', 'unknownFields']);
    expect([...(claims.unknownFields ?? [])]).toEqual([
      [99, 'reserved'],
      ['x', 1],
      [30, new Uint8Array([9])],
    ]);
    expect([...encodeClaim169(claims).keys()]).toEqual([4, 30, 99, 'x']);
  });

  it('accepts a lone biometric map as a one-element list', () => {
    const sample = new Map<number, unknown>([
      [0, new Uint8Array([5])],
      [1, 0],
    ]);
    expect(decodeClaim169(new Map([[62, sample]]))).toEqual({
      face: [{ data: new Uint8Array([5]), format: 0 }],
    });
  });

  it.each([
    [1, 12345],
    [4, new Uint8Array([65])],
    [8, 19880102],
    [9, 0],
    [9, 4],
    [9, '1'],
    [14, 1.5],
    [16, 'ffd8'],
    [17, 5],
    [18, [11]],
    [18, 3],
    [62, [new Map([[1, 0]])]],
    [62, ['x']],
    [
      62,
      [
        new Map<number, unknown>([
          [0, new Uint8Array()],
          [1, -1],
        ]),
      ],
    ],
    [
      62,
      [
        new Map<number, unknown>([
          [0, new Uint8Array()],
          [3, 7],
        ]),
      ],
    ],
  ])('refuses key %i with value %o', (key, value) => {
    expect(codeOf(() => decodeClaim169(new Map([[key, value]])))).toBe('AMP_CRED_MALFORMED_CLAIMS');
  });

  it.each<[string, Claim169]>([
    ['an unknown gender', { gender: 'x' as never }],
    ['a date of birth in another format', { dateOfBirth: '02/01/1988' }],
    ['a photo that is not bytes', { photo: 'ffd8' as never }],
    ['an unknown field that shadows a known key', { unknownFields: new Map([[4, 'x']]) }],
    ['a finger position above 10', { bestQualityFingers: [11] }],
  ])('refuses to encode %s', (_label, claims) => {
    expect(codeOf(() => encodeClaim169(claims))).toBe('AMP_CRED_INVALID_INPUT');
  });

  it('round-trips the fields our cards carry', () => {
    const cardClaims = fc.record(
      {
        id: fc.stringMatching(/^[2-9]\d{9}$/),
        fullName: fc.string({ minLength: 1, maxLength: 60 }),
        dateOfBirth: fc
          .date({ min: new Date('1900-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
          .map((date) => date.toISOString().slice(0, 10).replaceAll('-', '')),
        gender: fc.constantFrom('male' as const, 'female' as const, 'other' as const),
        face: fc.array(
          fc.record({ data: fc.uint8Array({ maxLength: 64 }), format: fc.constant(0) }),
          { maxLength: 1 },
        ),
      },
      { requiredKeys: ['id', 'fullName'] },
    );
    fc.assert(
      fc.property(cardClaims, (claims) => {
        expect(decodeClaim169(encodeClaim169(claims))).toEqual(claims);
      }),
      { numRuns: 300 },
    );
  });
});
