import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  verhoeffCheckDigit,
  verhoeffInverse,
  verhoeffMultiplication,
  verhoeffPermutation,
  verhoeffValidate,
} from './verhoeff.js';
import { singleErrors } from './verhoeff-test-kit.js';

describe('Verhoeff known answers', () => {
  // Wikipedia "Verhoeff algorithm" (236 → 3, 1428570 valid), Rosetta Code task "Verhoeff
  // algorithm" (236, 12345, 123456789012 and the same with check digit 9), and Perl
  // Algorithm::CheckDigits MXX_006 (1456789 → 4).
  it.each([
    ['236', 3],
    ['12345', 1],
    ['123456789012', 0],
    ['142857', 0],
    ['1456789', 4],
  ])('check digit of %s is %i', (payload, expected) => {
    expect(verhoeffCheckDigit(payload)).toBe(expected);
    expect(verhoeffValidate(`${payload}${expected}`)).toBe(true);
  });

  it.each(['2369', '123459', '1234567890129'])('rejects %s (wrong check digit 9)', (number) => {
    expect(verhoeffValidate(number)).toBe(false);
  });

  it('refuses input that is not a string of digits', () => {
    for (const bad of ['', '12a', ' 123', '１２３', '-1']) {
      expect(() => verhoeffCheckDigit(bad)).toThrow(RangeError);
      expect(verhoeffValidate(bad)).toBe(false);
    }
  });
});

describe('Verhoeff tables have the structure the error guarantees rest on', () => {
  const d = verhoeffMultiplication;
  it('multiplication is a non-commutative group (D5) with the given inverses', () => {
    for (let a = 0; a < 10; a++) {
      expect(d[0]![a]).toBe(a);
      expect(d[a]![0]).toBe(a);
      expect(d[a]![verhoeffInverse[a]!]).toBe(0);
      expect(new Set(d[a]).size).toBe(10);
      for (let b = 0; b < 10; b++) {
        for (let c = 0; c < 10; c++) expect(d[d[a]![b]!]![c]).toBe(d[a]![d[b]![c]!]);
      }
    }
    expect(d[1]![5]).not.toBe(d[5]![1]);
  });

  it('permutation i is permutation 1 applied i times, with period 8', () => {
    const first = verhoeffPermutation[1]!;
    let power = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    for (let i = 0; i < 8; i++) {
      expect(verhoeffPermutation[i]).toEqual(power);
      power = power.map((digit) => first[digit]!);
    }
    expect(power).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('Verhoeff error detection', () => {
  it('catches every single-digit error and swap at any length (unlike Luhn, which misses 09 ↔ 90)', () => {
    expect(verhoeffValidate(`09${verhoeffCheckDigit('09')}`)).toBe(true);
    expect(verhoeffValidate(`90${verhoeffCheckDigit('09')}`)).toBe(false);
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{1,20}$/), (payload) => {
        const number = `${payload}${verhoeffCheckDigit(payload)}`;
        expect(verhoeffValidate(number)).toBe(true);
        for (const variant of singleErrors(number)) expect(verhoeffValidate(variant)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
