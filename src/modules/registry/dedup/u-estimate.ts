import { type Comparison, compareField } from './comparisons.js';
import { normalise } from './em.js';
import { seededRandom } from './random.js';
import type { RecordStore } from './record-store.js';

/**
 * Estimates u[c][level] = P(level | non-match) from random pairs of rows. Random pairs are
 * almost all non-matches (two random people are rarely the same person), so their level
 * frequencies are the u probabilities; the rare true match among them changes nothing.
 * The exact level is computed from value counts instead; the sample shares the rest.
 *
 * @example
 * const u = estimateU(store, comparisons, 100_000, 42);
 * u[0]?.[1] // chance that two different people have the same given name
 */
export function estimateU(
  store: RecordStore,
  comparisons: readonly Comparison[],
  samplePairsMax: number,
  seed: number,
): number[][] {
  const counts = comparisons.map((comparison) =>
    new Array<number>(comparison.levels.length + 1).fill(0),
  );
  const size = store.size;
  const allPairs = (size * (size - 1)) / 2;
  const random = seededRandom(seed);
  const samples = Math.min(samplePairsMax, allPairs);
  for (let s = 0; s < samples; s += 1) {
    const a = Math.floor(random() * size);
    let b = Math.floor(random() * (size - 1));
    if (b >= a) b += 1;
    comparisons.forEach((comparison, c) => {
      const level = compareField(comparison, store, a, store, b);
      const row = counts[c];
      if (row !== undefined) row[level] = (row[level] ?? 0) + 1;
    });
  }
  return counts.map((row, c) => {
    const exact = exactAgreementShare(store.valueCounts(comparisons[c]?.field ?? c));
    // Half a pair of smoothing: a level never seen at random keeps a finite weight.
    const others = normalise([0, ...row.slice(2)], 0.5);
    return [0, exact, ...others.slice(1).map((share) => share * (1 - exact))];
  });
}

/**
 * P(two different random rows share a value), computed from the value counts rather than
 * sampled: rare values (a date of birth shared by one pair in 30 000) need no huge sample.
 */
export function exactAgreementShare(valueCounts: readonly number[]): number {
  let rows = 0;
  let agreeingPairs = 0;
  for (const count of valueCounts) {
    rows += count;
    agreeingPairs += count * (count - 1);
  }
  if (rows < 2) return 0.5;
  return Math.max(agreeingPairs, 0.5) / (rows * (rows - 1));
}
