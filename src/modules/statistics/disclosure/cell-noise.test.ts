import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import { statisticsLimits } from '../limits.js';
import { findTable, readTable } from '../published/table-reader.js';
import { statisticsRefresher } from '../published/table-refresher.js';
import type { AggregateReadModels, PeopleGroup } from '../read-models.js';
import { noisyCount } from './cell-noise.js';
import { discreteGaussianMass } from './discrete-gaussian.js';
import { roundToBase } from './protect-table.js';

/**
 * The differencing attack (issue #17, point 3: "two queries that differ by one person reveal
 * nothing"). The attacker knows every other person, so knows a cell's count n without the
 * target, reads the cell's published value after a refresh, and guesses whether the target
 * is in it (count n + 1) or not (n) by the likelihood ratio of the published value — the best
 * test there is. Against deterministic rounding the attack is certain for some n (12 → 10,
 * 13 → 15). Against the keyed noise its accuracy is at most Φ(1 / 2σ) (the Gaussian
 * mechanism's bound; clamping and rounding are post-processing), computed exactly from the
 * mass and measured on the implementation with fresh keys. On a real database, a refresh of a
 * population one person larger keeps the value of every cell whose count did not change.
 */
const { noiseVariance: variance, threshold, roundingBase: base } = statisticsLimits;
const sigma = Math.sqrt(variance);

/** Φ, the standard normal distribution function (Abramowitz–Stegun 7.1.26, error < 1.5e-7). */
function phi(x: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(x) / Math.SQRT2));
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** What the attacker reads of a cell: its published value, or `withheld` (−1). */
const withheld = -1;
const seen = (value: number | null): number => value ?? withheld;

/**
 * The exact distribution of what is read of a cell of count n > 0: withheld when n + Z is
 * below the threshold, else n + Z rounded (the rule); or, by the old rule, withheld when n
 * itself is below the threshold and else the noisy value clamped and rounded.
 */
function publishedMass(n: number, rule: 'noisy' | 'old' = 'noisy'): Map<number, number> {
  const mass = new Map<number, number>();
  const reach = Math.ceil(12 * sigma);
  for (let z = -reach; z <= reach; z++) {
    const value =
      rule === 'old'
        ? n < threshold
          ? withheld
          : roundToBase(Math.max(threshold, n + z), base)
        : n + z < threshold
          ? withheld
          : roundToBase(n + z, base);
    mass.set(value, (mass.get(value) ?? 0) + discreteGaussianMass(variance, z));
  }
  return mass;
}

/** The best attacker's accuracy between counts n and n + 1 (equal priors): ½ + ½ TV. */
function bestAccuracy(without: Map<number, number>, withTarget: Map<number, number>): number {
  let distance = 0;
  for (const value of new Set([...without.keys(), ...withTarget.keys()])) {
    distance += Math.abs((without.get(value) ?? 0) - (withTarget.get(value) ?? 0));
  }
  return 0.5 + distance / 4;
}

describe('differencing between refreshes', () => {
  // The bare mechanism n + Z between n and n + 1 (exact): what any post-processing is bound by.
  const bare = (shift: number) => {
    const mass = new Map<number, number>();
    for (let z = -Math.ceil(12 * sigma); z <= Math.ceil(12 * sigma); z++) {
      mass.set(z + shift, discreteGaussianMass(variance, z));
    }
    return mass;
  };
  const bound = bestAccuracy(bare(0), bare(1));

  it('defeats deterministic rounding for some counts, and is bounded by about Φ(1/2σ) under the noise', () => {
    const point = (value: number) => new Map([[value, 1]]);
    const rounded = (n: number) => point(roundToBase(n, base));
    expect(bestAccuracy(rounded(12), rounded(13))).toBe(1); // 10 → 15: the target is found
    for (const n of [1, 5, 9, 10, 12, 13, 57, 100, 1_002, 250_000]) {
      const accuracy = bestAccuracy(publishedMass(n), publishedMass(n + 1));
      expect(accuracy, `n = ${n}`).toBeLessThanOrEqual(bound + 1e-6);
    }
    // The discrete mechanism is within a hair of the continuous Gaussian's Φ(1/2σ).
    expect(Math.abs(bound - phi(1 / (2 * sigma)))).toBeLessThan(1e-3);
    expect(bound).toBeLessThan(0.55);
  });

  it('measured on the implementation with fresh keys, the likelihood-ratio attacker does no better', () => {
    const n = 12;
    const without = publishedMass(n);
    const withTarget = publishedMass(n + 1);
    const trials = 4_000;
    let right = 0;
    for (let trial = 0; trial < trials; trial++) {
      const key = randomBytes(32);
      const present = trial % 2 === 1;
      const value = seen(
        noisyCount({
          key,
          table: 'people_by_age_sex_region',
          cell: ['VE-B', '30-34', 'F'],
          count: present ? n + 1 : n,
          variance,
          threshold,
          base,
        }),
      );
      const guess = (withTarget.get(value) ?? 0) > (without.get(value) ?? 0);
      if (guess === present) right++;
    }
    // Three standard deviations of a frequency over `trials`.
    expect(right / trials).toBeLessThan(bound + 3 * Math.sqrt(0.25 / trials));
  });

  it('keeps a cell whose count did not change at the same value, and draws afresh when it did', () => {
    const key = randomBytes(32);
    const ask = (count: number, cell = ['VE-A', 'all', 'F']) =>
      noisyCount({ key, table: 't', cell, count, variance, threshold, base });
    expect(ask(1_234)).toBe(ask(1_234));
    const draws = new Set(Array.from({ length: 40 }, (_, i) => ask(1_000 + i * 5)));
    // Plain rounding would give 40 distinct values 1,000 … 1,195; noise moves some of them.
    const plain = Array.from({ length: 40 }, (_, i) => 1_000 + i * 5);
    expect(plain.filter((value, i) => value !== ask(1_000 + i * 5)).length).toBeGreaterThan(10);
    expect(draws.size).toBeGreaterThan(20);
    expect(ask(0)).toBe(0);
    for (let n = 1; n < 40; n++) {
      const shown = ask(n);
      expect(shown === null || shown >= threshold, `n = ${n}`).toBe(true); // never shown small
    }
  });

  it('decides the withheld pattern by the same draw: 9 → 10 is bounded like the value, and was certain', () => {
    // The old rule withheld on the true count: 9 always withheld, 10 never — certain.
    expect(bestAccuracy(publishedMass(9, 'old'), publishedMass(10, 'old'))).toBe(1);
    // Withheld when n + Z < threshold: what is read (withheld or the value) is post-processing
    // of n + Z, so the best attacker is bound by the bare mechanism.
    for (const n of [1, 8, 9, 10, 11]) {
      const accuracy = bestAccuracy(publishedMass(n), publishedMass(n + 1));
      expect(accuracy, `n = ${n}`).toBeLessThanOrEqual(bound + 1e-6);
    }
    // Measured on the implementation with fresh keys: the likelihood-ratio attacker on the
    // n = 9 vs n = 10 reading, and the same attacker against the old rule.
    const without = publishedMass(9);
    const withTarget = publishedMass(10);
    const trials = 4_000;
    let right = 0;
    let rightOld = 0;
    for (let trial = 0; trial < trials; trial++) {
      const present = trial % 2 === 1;
      const count = present ? 10 : 9;
      const value = seen(
        noisyCount({
          key: randomBytes(32),
          table: 't',
          cell: ['VE-A'],
          count,
          variance,
          threshold,
          base,
        }),
      );
      if ((withTarget.get(value) ?? 0) > (without.get(value) ?? 0) === present) right++;
      // The old rule on the same draw: withheld on the true count, else clamped to the threshold.
      const old = count < threshold ? withheld : value === withheld ? threshold : value;
      if ((old !== withheld) === present) rightOld++;
    }
    expect(right / trials).toBeLessThan(bound + 3 * Math.sqrt(0.25 / trials));
    expect(rightOld / trials).toBe(1);
  });
});

describe('the same quantity in two tables', () => {
  it('is one draw when declared, so averaging the two tables gains nothing', () => {
    const count = 1_234;
    const read = (key: Uint8Array, table: string, quantity: string | null) =>
      noisyCount({
        key,
        table,
        cell: ['VE', 'bono'],
        quantity,
        count,
        variance,
        threshold,
        base,
      }) ?? 0;
    let sharedError = 0;
    let apartError = 0;
    let oneError = 0;
    const trials = 2_000;
    for (let trial = 0; trial < trials; trial++) {
      const key = randomBytes(32);
      const q = 'redeemed_in_country/bono';
      const [a, b] = [read(key, 'coverage', q), read(key, 'redeemed', q)];
      expect(a).toBe(b);
      const [c, d] = [read(key, 'coverage', null), read(key, 'redeemed', null)];
      oneError += (c - count) ** 2;
      sharedError += ((a + b) / 2 - count) ** 2;
      apartError += ((c + d) / 2 - count) ** 2;
    }
    // Two independent draws averaged halve the noise's variance; one shared draw does not move.
    expect(apartError / oneError).toBeLessThan(0.7);
    expect(sharedError / oneError).toBeGreaterThan(0.85);
  });
});

describe('differencing on a real database', () => {
  let database: TestDatabase;
  const population: PeopleGroup[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
    for (const [s, stateCode] of ['VE-A', 'VE-B', 'VE-C'].entries()) {
      for (const sex of ['F', 'M']) {
        for (let band = 0; band < 6; band++) {
          population.push({
            stateCode,
            municipalityCode: null,
            ageBandFrom: band * 5 + 20,
            sex,
            persons: 40 + 17 * band + 5 * s,
          });
        }
      }
    }
  }, 60_000);
  afterAll(async () => database?.close());

  const modelsOf = (groups: readonly PeopleGroup[]): AggregateReadModels => ({
    people: async () => groups,
    coverage: async () => [],
  });
  const published = async () => {
    const answer = await readTable(database.db, findTable('people_by_age_sex_region', false), [
      'region.state',
      'age_band',
      'sex',
    ]);
    return {
      rules: answer.rules,
      cells: new Map(answer.cells.map((c) => [c.key.join('|'), c.value])),
    };
  };

  it('changes only the cells the one more person is counted in, each by a fresh keyed draw', async () => {
    await statisticsRefresher({ db: database.db, models: modelsOf(population) });
    const before = await published();
    expect(before.rules.noiseVariance).toBe(variance);
    // The same population refreshed again: nothing moves (no averaging of fresh noise).
    await statisticsRefresher({ db: database.db, models: modelsOf(population) });
    expect((await published()).cells).toEqual(before.cells);
    // One more woman of 30–34 in VE-B.
    const plusOne = population.map((group) =>
      group.stateCode === 'VE-B' && group.sex === 'F' && group.ageBandFrom === 30
        ? { ...group, persons: group.persons + 1 }
        : group,
    );
    await statisticsRefresher({ db: database.db, models: modelsOf(plusOne) });
    const after = await published();
    const hers = (key: string) => {
      const [region, band, sex] = key.split('|');
      return (
        ['VE', 'VE-B'].includes(region ?? '') &&
        ['all', '30-34'].includes(band ?? '') &&
        ['all', 'F'].includes(sex ?? '')
      );
    };
    for (const [key, value] of before.cells) {
      if (!hers(key)) expect(after.cells.get(key), key).toBe(value);
      expect(value === null || value === 0 || (value >= threshold && value % base === 0)).toBe(
        true,
      );
    }
    expect(
      await database.db.selectFrom('statistics_noise_key').select('id').execute(),
    ).toHaveLength(1);
  });
});
