import { discreteGaussian, keyedSource } from './discrete-gaussian.js';
import { roundToBase } from './protect-table.js';

/**
 * Noise on published counts against differencing (issue #17, point 3: "two queries that
 * differ by one person reveal nothing"). Rounding alone is deterministic: when one person
 * joins a cell of 12, it turns 10 → 15 and whoever knows everyone else learns where that
 * person is. Here a published count is `roundToBase(max(threshold, n + Z))`, Z drawn from the
 * discrete Gaussian with variance σ² by a stream keyed with the deployment's secret noise key
 * and labelled by the table, the cell and its true count n:
 *
 * - the same cell with the same count always shows the same value (a refresh that changes
 *   nothing changes nothing, and asking again cannot average the noise away);
 * - a cell whose count changed shows a fresh, independent draw, so the two published values
 *   of a cell at n and n + 1 are two noisy readings whose distributions differ by the
 *   Gaussian mechanism's bound: ρ = 1 / 2σ² per published cell (zero-concentrated
 *   differential privacy), ρ = c / 2σ² for a person counted in c published cells;
 * - the clamp to the threshold and the rounding are post-processing, which keeps the bound.
 *
 * The bound holds for the published values given the pattern of withheld cells; a cell that
 * crosses the threshold (9 → 10) or leaves zero changes the pattern itself (README).
 *
 * @example
 *   noisyCount({ key, table: 'people_by_age_sex_region', cell: ['VE-A', 'all', 'F'], count: 1234, variance: 25, threshold: 10, base: 5 }); // e.g. 1230
 */
export function noisyCount(input: {
  readonly key: Uint8Array;
  readonly table: string;
  readonly cell: readonly string[];
  readonly count: number;
  readonly variance: number;
  readonly threshold: number;
  readonly base: number;
}): number {
  if (input.count === 0) return 0;
  const label = JSON.stringify([input.table, input.cell, input.count]);
  const noise = discreteGaussian(BigInt(input.variance), keyedSource(input.key, label));
  return roundToBase(Math.max(input.threshold, input.count + Number(noise)), input.base);
}
