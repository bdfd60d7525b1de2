import { describe, expect, it } from 'vitest';
import { expectationMaximisation, type PatternTable } from './em.js';
import { seededRandom } from './random.js';

/** Draws pairs from a known two-class model and groups them into a pattern table. */
function synthesise(
  m: number[][],
  u: number[][],
  matchShare: number,
  pairs: number,
  seed: number,
): PatternTable {
  const random = seededRandom(seed);
  const draw = (probabilities: number[]): number => {
    let target = random();
    for (let level = 1; level < probabilities.length; level += 1) {
      target -= probabilities[level] ?? 0;
      if (target < 0) return level;
    }
    return probabilities.length - 1;
  };
  const counts = new Map<string, number>();
  for (let p = 0; p < pairs; p += 1) {
    const source = random() < matchShare ? m : u;
    const key = source.map((levels) => draw(levels)).join(',');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const keys = [...counts.keys()];
  return {
    levelCounts: m.map((levels) => levels.length),
    levels: Uint8Array.from(keys.flatMap((key) => key.split(',').map(Number))),
    counts: Float64Array.from(keys.map((key) => counts.get(key) ?? 0)),
  };
}

describe('expectationMaximisation', () => {
  const m = [
    [0, 0.85, 0.1, 0.05],
    [0, 0.8, 0.15, 0.05],
    [0, 0.9, 0.07, 0.03],
    [0, 0.75, 0.25],
  ];
  const u = [
    [0, 0.02, 0.08, 0.9],
    [0, 0.01, 0.04, 0.95],
    [0, 0.05, 0.15, 0.8],
    [0, 0.3, 0.7],
  ];

  it('recovers m, u and the match share of a synthetic mixture', () => {
    const table = synthesise(m, u, 0.2, 40_000, 7);
    const uStart = [
      [0, 0.1, 0.2, 0.7],
      [0, 0.1, 0.2, 0.7],
      [0, 0.1, 0.2, 0.7],
      [0, 0.5, 0.5],
    ];
    const result = expectationMaximisation(table, { uStart });
    expect(result.converged).toBe(true);
    expect(result.matchShare).toBeCloseTo(0.2, 1);
    result.m.forEach((levels, c) => {
      levels.forEach((value, level) => {
        expect(Math.abs(value - (m[c]?.[level] ?? 0))).toBeLessThan(0.03);
      });
    });
    result.uCandidates.forEach((levels, c) => {
      levels.forEach((value, level) => {
        expect(Math.abs(value - (u[c]?.[level] ?? 0))).toBeLessThan(0.03);
      });
    });
  });

  it('keeps u where it started when asked to', () => {
    const table = synthesise(m, u, 0.2, 5_000, 11);
    const result = expectationMaximisation(table, { uStart: u, fixU: true });
    expect(result.uCandidates).toEqual(u);
    expect(result.matchShare).toBeGreaterThan(0.15);
    expect(result.matchShare).toBeLessThan(0.25);
  });

  it('never lets a probability reach zero', () => {
    const table = synthesise(m, u, 0.5, 200, 3);
    const result = expectationMaximisation(table, { uStart: u });
    for (const levels of result.m)
      for (const value of levels.slice(1)) expect(value).toBeGreaterThan(0);
  });
});
