import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findParish, isValidAddressCodes, listParishes } from '../geography/divisions.js';
import { daysFromIsoDate } from './calendar.js';
import { addNoise, type NoiseEnvironment, type NoisyFields } from './noise.js';
import { Prng } from './prng.js';

const original: NoisyFields = {
  givenNames: 'María Valentina',
  firstSurname: 'Benítez',
  secondSurname: 'Yépez',
  birthDate: '1987-03-09',
  stateCode: 'VE-V',
  municipalityCode: 'VE-V-13',
  parishCode: 'VE-V-13-01',
  locality: 'San Rafael de El Moján',
  addressLine: 'Calle 12, Sector La Sierrita, Casa Nro. 4',
  phone: '+584141234567',
};

/** Moves to a parish chosen by the test's own rule, so the test does not depend on places.ts. */
const environment: NoiseEnvironment = {
  move: (prng, current) => {
    const parishes = listParishes().filter((parish) => parish.code !== current);
    const parish = prng.pick(parishes);
    return {
      stateCode: parish.stateCode,
      municipalityCode: parish.municipalityCode,
      parishCode: parish.code,
      locality: 'Elsewhere',
      addressLine: 'Avenida Nueva, Casa 1',
    };
  },
};

function noisyCopies(count: number, seed: string, from: NoisyFields = original): NoisyFields[] {
  const prng = new Prng(seed);
  return Array.from({ length: count }, () => addNoise(prng, from, environment));
}

describe('addNoise', () => {
  it('always changes at least one field and keeps the record usable', () => {
    fc.assert(
      fc.property(fc.string(), (seed) => {
        for (const noisy of noisyCopies(20, seed)) {
          expect(noisy).not.toEqual(original);
          expect(noisy.givenNames.trim()).not.toBe('');
          expect(noisy.firstSurname.trim()).not.toBe('');
          expect(() => daysFromIsoDate(noisy.birthDate)).not.toThrow();
          expect(isValidAddressCodes(noisy)).toBe(true);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('does not modify the original', () => {
    const before = { ...original };
    noisyCopies(50, 'pure');
    expect(original).toEqual(before);
  });

  it('produces each kind of real-world error', () => {
    const copies = noisyCopies(3000, 'kinds');
    const seen = (predicate: (noisy: NoisyFields) => boolean) => copies.some(predicate);
    expect(seen((n) => n.givenNames === 'Valentina María')).toBe(true);
    expect(seen((n) => n.givenNames === 'Maria Valentina' && n.firstSurname === 'Benitez')).toBe(
      true,
    );
    expect(seen((n) => n.givenNames === 'Benítez Yépez' && n.firstSurname === 'María')).toBe(true);
    expect(seen((n) => n.secondSurname === '' && n.firstSurname === 'Benítez')).toBe(true);
    expect(seen((n) => n.birthDate === '1987-09-03')).toBe(true);
    expect(seen((n) => n.phone === '' && n.givenNames === original.givenNames)).toBe(true);
    expect(seen((n) => n.parishCode !== original.parishCode)).toBe(true);
    expect(seen((n) => n.firstSurname === 'Venítez')).toBe(true);
    expect(seen((n) => n.secondSurname === 'Llépez')).toBe(true);
    // A typo: same length, one letter replaced, in a name and nowhere else.
    expect(
      seen(
        (n) =>
          n.firstSurname.length === original.firstSurname.length &&
          [...n.firstSurname].filter((c, i) => c !== original.firstSurname[i]).length === 1 &&
          n.givenNames === original.givenNames,
      ),
    ).toBe(true);
  });

  it('applies between one and three operations in realistic proportions', () => {
    const copies = noisyCopies(2000, 'counts');
    const moved = copies.filter((n) => n.parishCode !== original.parishCode).length;
    // A move is one operation in ten; with 1.5 operations on average about 15% move.
    expect(moved / copies.length).toBeGreaterThan(0.08);
    expect(moved / copies.length).toBeLessThan(0.25);
  });

  it('keeps ñ when it drops accents, and never transposes a day above 12', () => {
    const withEnye = { ...original, firstSurname: 'Ñáñez', birthDate: '1990-05-25' };
    const copies = noisyCopies(1500, 'enye', withEnye);
    expect(copies.filter((noisy) => noisy.birthDate !== '1990-05-25')).toEqual([]);
    expect(copies.some((noisy) => noisy.firstSurname === 'Ñañez')).toBe(true);
    expect(copies.filter((noisy) => /^Nan/.test(noisy.firstSurname))).toEqual([]);
  });

  it('moves within the geography catalogue', () => {
    const moved = noisyCopies(500, 'moves').filter((n) => n.parishCode !== original.parishCode);
    for (const noisy of moved)
      expect(findParish(noisy.parishCode)?.stateCode).toBe(noisy.stateCode);
  });
});
