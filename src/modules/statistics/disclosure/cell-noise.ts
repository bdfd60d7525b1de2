import { discreteGaussianOf, keyedSource } from './discrete-gaussian.js';
import { roundToBase } from './protect-table.js';

/**
 * Noise on published counts against differencing (issue #17, point 3: "two queries that
 * differ by one person reveal nothing"). Rounding alone is deterministic: when one person
 * joins a cell of 12, it turns 10 → 15 and whoever knows everyone else learns where that
 * person is. Here a cell of count n > 0 is withheld when n + Z < threshold and otherwise
 * published as `roundToBase(n + Z)`, Z drawn from the discrete Gaussian with variance σ² by a
 * stream keyed with the deployment's secret noise key and labelled by the table, the cell and
 * its true count n:
 *
 * - the same cell with the same count always shows the same value (a refresh that changes
 *   nothing changes nothing, and asking again cannot average the noise away);
 * - a cell whose count changed shows a fresh, independent draw, so the two published values
 *   of a cell at n and n + 1 are two noisy readings whose distributions differ by the
 *   Gaussian mechanism's bound: ρ = 1 / 2σ² per published cell (zero-concentrated
 *   differential privacy), ρ = c / 2σ² for a person counted in c published cells;
 * - withholding below the threshold and the rounding are post-processing, which keeps the
 *   bound;
 * - the same keyed draw decides whether the cell is withheld: a cell is withheld by the
 *   threshold rule when n + Z < threshold (answered null), so the pattern of withheld cells is
 *   post-processing of the same noisy reading and a cell going 9 → 10 changes it only as
 *   likely as the value itself would change. Zero stays zero (the issue asks it, and an empty
 *   cell names nobody): so the 0 → 1 crossing stays visible (README, "Differencing"). The
 *   refresher does not use this verdict yet: it still withholds on the true count (README);
 * - a cell the catalogue declares to be the same quantity as a cell of another table (the
 *   redeemed persons of a cycle in the country, in coverage and in the redemption table) is
 *   labelled by that quantity's key instead of the table and cell, so both tables show one
 *   draw and averaging them gains nothing.
 *
 * @example
 *   noisyCount({ key, table: 'people_by_age_sex_region', cell: ['VE-A', 'all', 'F'], count: 1234, variance: 25, threshold: 10, base: 5 }); // e.g. 1230
 */
export function noisyCount(input: {
  readonly key: Uint8Array;
  readonly table: string;
  readonly cell: readonly string[];
  /** The canonical key of the quantity, when the catalogue declares one (one draw for all). */
  readonly quantity?: string | null;
  readonly count: number;
  readonly variance: number;
  readonly threshold: number;
  readonly base: number;
}): number | null {
  if (input.count === 0) return 0;
  const label =
    input.quantity == null
      ? JSON.stringify([input.table, input.cell, input.count])
      : JSON.stringify(['quantity', input.quantity, input.count]);
  const noisy = input.count + discreteGaussianOf(input.variance, keyedSource(input.key, label));
  if (noisy < input.threshold) return null;
  return roundToBase(noisy, input.base);
}
