import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAdjacentTransposition, jaroWinkler, levenshtein } from './string-distance.js';

describe('jaroWinkler', () => {
  // Published values (Winkler 1990; Wikipedia's Jaro–Winkler article).
  it.each([
    ['martha', 'marhta', 0.961],
    ['dwayne', 'duane', 0.84],
    ['dixon', 'dicksonx', 0.813],
    ['jellyfish', 'smellyfish', 0.896],
  ])('%s / %s ≈ %f', (left, right, expected) => {
    expect(jaroWinkler(left, right)).toBeCloseTo(expected, 3);
  });

  it('is 1 for equal strings and 0 with nothing in common', () => {
    expect(jaroWinkler('ana', 'ana')).toBe(1);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
    expect(jaroWinkler('', 'abc')).toBe(0);
  });

  it('gives the same value with a floor whenever the value reaches the floor', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        const full = jaroWinkler(a, b);
        const floored = jaroWinkler(a, b, 0.88);
        expect(full >= 0.88 ? floored : 0).toBe(full >= 0.88 ? full : 0);
        expect(floored === 0 || floored === full).toBe(true);
      }),
    );
  });
});

describe('levenshtein', () => {
  it.each([
    ['kitten', 'sitting', 3],
    ['flaw', 'lawn', 2],
    ['', 'abc', 3],
    ['gumbo', 'gambol', 2],
    ['same', 'same', 0],
  ])('%s → %s is %i', (left, right, expected) => {
    expect(levenshtein(left, right)).toBe(expected);
  });

  it('reports "more than the maximum" as maximum + 1', () => {
    expect(levenshtein('kitten', 'sitting', 1)).toBe(2);
    expect(levenshtein('abcdef', 'a', 2)).toBe(3);
  });

  it('is symmetric and bounded by the longer length', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), (a, b) => {
        const distance = levenshtein(a, b);
        expect(levenshtein(b, a)).toBe(distance);
        expect(distance).toBeLessThanOrEqual(Math.max(a.length, b.length));
      }),
    );
  });
});

describe('isAdjacentTransposition', () => {
  it('finds one swap of neighbours and nothing else', () => {
    expect(isAdjacentTransposition('19840512', '19480512')).toBe(true);
    expect(isAdjacentTransposition('19840512', '19840521')).toBe(true);
    expect(isAdjacentTransposition('19840512', '19840512')).toBe(false);
    expect(isAdjacentTransposition('19840512', '91840521')).toBe(false);
    expect(isAdjacentTransposition('abc', 'cba')).toBe(false);
  });
});
