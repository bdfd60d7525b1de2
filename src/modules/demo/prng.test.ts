import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Prng } from './prng.js';
import { WeightedTable, zipfWeights } from './weighted-table.js';

function draw(seed: string, count: number): number[] {
  const prng = new Prng(seed);
  return Array.from({ length: count }, () => prng.nextUint32());
}

describe('Prng', () => {
  it('repeats the same sequence for the same seed', () => {
    expect(draw('amparo', 1000)).toEqual(draw('amparo', 1000));
  });

  it('gives unrelated sequences for neighbouring seeds', () => {
    const a = draw('1', 100);
    const b = draw('2', 100);
    expect(a.filter((value, index) => value === b[index])).toHaveLength(0);
  });

  it('keeps int() within its inclusive bounds and reaches both ends', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: -50, max: 50 }), fc.nat(20), (seed, min, span) => {
        const prng = new Prng(seed);
        const seen = new Set<number>();
        for (let index = 0; index < 400; index += 1) seen.add(prng.int(min, min + span));
        expect(Math.min(...seen)).toBe(min);
        expect(Math.max(...seen)).toBe(min + span);
      }),
      { numRuns: 50 },
    );
  });

  it('produces floats in [0, 1) with a mean near one half', () => {
    const prng = new Prng('mean');
    let sum = 0;
    let outside = 0;
    for (let index = 0; index < 100_000; index += 1) {
      const value = prng.float();
      if (value < 0 || value >= 1) outside += 1;
      sum += value;
    }
    expect(outside).toBe(0);
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
  });
});

describe('WeightedTable', () => {
  it('draws items in proportion to their weights', () => {
    const table = new WeightedTable<'a' | 'b' | 'c'>(['a', 'b', 'c'], [1, 2, 7]);
    const prng = new Prng('weights');
    const counts = { a: 0, b: 0, c: 0 };
    for (let index = 0; index < 50_000; index += 1) counts[table.sample(prng)] += 1;
    expect(counts.a / 50_000).toBeCloseTo(0.1, 1);
    expect(counts.b / 50_000).toBeCloseTo(0.2, 1);
    expect(counts.c / 50_000).toBeCloseTo(0.7, 1);
  });

  it('never draws an item of weight zero', () => {
    const table = new WeightedTable(['never', 'always'], [0, 1]);
    const prng = new Prng('zero');
    for (let index = 0; index < 1000; index += 1) expect(table.sample(prng)).toBe('always');
  });

  it('refuses mismatched or empty weights', () => {
    expect(() => new WeightedTable(['a'], [])).toThrow();
    expect(() => new WeightedTable([], [])).toThrow();
    expect(() => new WeightedTable(['a'], [-1])).toThrow();
    expect(() => new WeightedTable(['a'], [0])).toThrow();
  });

  it('makes Zipf weights decrease with rank', () => {
    const weights = zipfWeights(50, 1, 2);
    for (let index = 1; index < weights.length; index += 1) {
      expect(weights[index]).toBeLessThan(weights[index - 1] ?? 0);
    }
  });
});
