import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  bernoulliExp,
  discreteGaussian,
  discreteGaussianMass,
  discreteGaussianOf,
  keyedSource,
  secureSource,
} from './discrete-gaussian.js';

/**
 * The exact discrete Gaussian sampler (issue #17, points 3 and 4): Bernoulli(exp(−γ)) has the
 * right frequency, the samples follow the probability mass P(z) ∝ exp(−z²/2σ²), and the keyed
 * stream is deterministic per key and label and different across labels.
 */
describe('discrete Gaussian', () => {
  it('draws Bernoulli(exp(−γ)) with the right frequency for γ below and above 1', () => {
    const source = secureSource();
    for (const [numerator, denominator] of [
      [1n, 3n],
      [3n, 2n],
    ] as const) {
      let ones = 0;
      const draws = 20_000;
      for (let i = 0; i < draws; i++) if (bernoulliExp(source, numerator, denominator)) ones++;
      const expected = Math.exp(-Number(numerator) / Number(denominator));
      // Four standard deviations of a binomial frequency.
      expect(Math.abs(ones / draws - expected)).toBeLessThan(
        4 * Math.sqrt((expected * (1 - expected)) / draws),
      );
    }
  });

  it('follows the mass exp(−z²/2σ²) / Σ, with mean 0 and variance about σ²', () => {
    const source = secureSource();
    const variance = 9;
    const draws = 30_000;
    const counts = new Map<number, number>();
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < draws; i++) {
      const z = Number(discreteGaussian(BigInt(variance), source));
      counts.set(z, (counts.get(z) ?? 0) + 1);
      sum += z;
      squares += z * z;
    }
    for (let z = -6; z <= 6; z++) {
      const p = discreteGaussianMass(variance, z);
      const seen = (counts.get(z) ?? 0) / draws;
      expect(Math.abs(seen - p), `P(${z})`).toBeLessThan(4.5 * Math.sqrt((p * (1 - p)) / draws));
    }
    expect(Math.abs(sum / draws)).toBeLessThan(0.1);
    expect(Math.abs(squares / draws - variance)).toBeLessThan(0.4);
  });

  it('draws the same value for the same key and label, and independent ones across labels', () => {
    const key = randomBytes(32);
    const a = Array.from({ length: 50 }, (_, i) =>
      discreteGaussian(25n, keyedSource(key, `c${i}`)),
    );
    const again = Array.from({ length: 50 }, (_, i) =>
      discreteGaussian(25n, keyedSource(key, `c${i}`)),
    );
    expect(again).toEqual(a);
    const otherKey = Array.from({ length: 50 }, (_, i) =>
      discreteGaussian(25n, keyedSource(randomBytes(32), `c${i}`)),
    );
    expect(otherKey).not.toEqual(a);
    expect(new Set(a.map(String)).size).toBeGreaterThan(5);
  });

  it('draws, on numbers, what the bigint sampler of session 12 drew for the same key and label', () => {
    // Drawn by the bigint-only implementation (48f601a) with this key and labels: the keyed
    // draws of published cells did not change when the sampler moved to numbers, so no cell
    // is redrawn by the refresh after it.
    const key = new Uint8Array(32).map((_, i) => i * 7 + 1);
    const before: Record<number, number[]> = {
      1: [0, 1, -2, -1, -1, 0, 1, 0, -1, 0, 0, -2, 1, 0, 0, 0],
      25: [-6, 1, -1, -5, 0, 0, 1, 3, 4, -1, -2, -9, -6, 0, 0, 2],
      1000: [-40, -30, -41, 10, 18, 24, -18, 1, -42, -10, 13, 32, -32, -7, 8, 33],
    };
    for (const [variance, draws] of Object.entries(before)) {
      const labels = draws.map((_, i) => `cell ${i}`);
      expect(
        labels.map((label) => discreteGaussianOf(Number(variance), keyedSource(key, label))),
      ).toEqual(draws);
      expect(
        labels.map((label) => Number(discreteGaussian(BigInt(variance), keyedSource(key, label)))),
      ).toEqual(draws);
    }
  });
});
