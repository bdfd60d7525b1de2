import { expect } from 'vitest';
import { statisticsLimits } from './limits.js';

/**
 * A published count is its true count plus the keyed discrete Gaussian noise (σ² =
 * `limits.statistics.noiseVariance`), clamped to the threshold and rounded to the base
 * (`disclosure/cell-noise.ts`), so tests check it against the true count within six standard
 * deviations plus half the base (a miss has probability about 2·10⁻⁹ per cell).
 *
 * @example
 *   expectNoisyCount(cell.value, 52);
 */
export function expectNoisyCount(value: number | null | undefined, count: number): void {
  const { noiseVariance, threshold, roundingBase } = statisticsLimits;
  expect(value, `a published count near ${count}`).toEqual(expect.any(Number));
  const shown = value as number; // just checked
  expect(shown % roundingBase).toBe(0);
  expect(shown).toBeGreaterThanOrEqual(threshold);
  expect(Math.abs(shown - count)).toBeLessThanOrEqual(
    6 * Math.sqrt(noiseVariance) + roundingBase / 2,
  );
}
