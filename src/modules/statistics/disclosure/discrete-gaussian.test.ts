import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  bernoulliExp,
  discreteGaussian,
  discreteGaussianMass,
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
});
