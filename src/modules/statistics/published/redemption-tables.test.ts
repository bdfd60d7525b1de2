import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import type { AggregateReadModels, CoverageGroup, RedemptionGroup } from '../read-models.js';
import { expectNoisyCount, expectSmallCountProtected } from '../statistics-test-kit.js';
import { dayBandOf } from './redemption-tables.js';
import { findTable, readTable } from './table-reader.js';
import { statisticsRefresher } from './table-refresher.js';

/**
 * The distribution tables (issue #17, point 2) from given read-model answers, refreshed and
 * protected on a real database: redeemed and redeemed without the card by state × cycle, the
 * time to redeem in day bands from the cycle's reference date, each protected like every
 * table (1 to 9 withheld, the rest rounded to 5); and without a distribution read model the
 * tables are skipped, not emptied.
 */
const cycleA = '00000000-0000-4000-8000-00000000000a';
const cycleB = '00000000-0000-4000-8000-00000000000b';
const coverage: CoverageGroup[] = [cycleA, cycleB].flatMap((cycleId, i) =>
  ['VE-A', 'VE-B'].map((stateCode) => ({
    programCode: 'food_box',
    cycleId,
    referenceDate: i === 0 ? '2026-10-01' : '2026-11-01',
    stateCode,
    municipalityCode: null,
    enrolled: 60,
    eligible: 60,
    entitled: 60,
    redeemed: 0,
    redeemedWithoutCard: 0,
    appealsFiled: 0,
    appealsUpheld: 0,
  })),
);
const redemptions: RedemptionGroup[] = [
  { cycleId: cycleA, stateCode: 'VE-A', mode: 'card', day: '2026-10-01', entitlements: 40 },
  { cycleId: cycleA, stateCode: 'VE-A', mode: 'assisted', day: '2026-10-03', entitlements: 12 },
  { cycleId: cycleA, stateCode: 'VE-B', mode: 'card', day: '2026-10-20', entitlements: 31 },
  { cycleId: cycleA, stateCode: 'VE-B', mode: 'assisted', day: '2026-10-20', entitlements: 4 },
  { cycleId: cycleB, stateCode: 'VE-A', mode: 'card', day: '2026-11-02', entitlements: 50 },
  { cycleId: cycleB, stateCode: 'VE-B', mode: 'card', day: '2026-12-15', entitlements: 45 },
];
const models: AggregateReadModels = {
  people: async () => [],
  coverage: async () => coverage,
  redemptions: async () => redemptions,
};

describe('distribution tables', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  }, 60_000);
  afterAll(async () => database?.close());

  const cells = async (code: string, by: string[]) => {
    const answer = await readTable(database.db, findTable(code, true), by);
    return new Map(answer.cells.map((cell) => [cell.key.join('|'), cell.value]));
  };

  it('bands days from the reference date to the first redemption', () => {
    expect(dayBandOf('2026-10-01', '2026-10-01')).toBe('0');
    expect(dayBandOf('2026-10-01', '2026-10-03')).toBe('1-2');
    expect(dayBandOf('2026-10-01', '2026-10-07')).toBe('3-6');
    expect(dayBandOf('2026-10-01', '2026-10-20')).toBe('14-29');
    expect(dayBandOf('2026-10-01', '2026-12-15')).toBe('30+');
  });

  it('skips the distribution tables when no distribution read model is wired', async () => {
    const { people, coverage: onlyCoverage } = models;
    await statisticsRefresher({ db: database.db, models: { people, coverage: onlyCoverage } });
    const stored = await database.db.selectFrom('statistics_table').select('code').execute();
    expect(stored.map((row) => row.code)).not.toContain('redeemed_by_program_cycle_state');
  });

  it('publishes redeemed, redeemed without the card and time to redeem as views of one protected cube', async () => {
    await statisticsRefresher({ db: database.db, models });
    const a = 'food_box/2026-10-01/00000000';
    const b = 'food_box/2026-11-01/00000000';
    const redeemed = await cells('redeemed_by_program_cycle_state', [
      'region.state',
      'program.cycle',
      'mode',
    ]);
    expectNoisyCount(redeemed.get(`VE-A|${a}|redeemed|all`), 52);
    expectNoisyCount(redeemed.get(`VE-B|${a}|redeemed|all`), 35);
    expectNoisyCount(redeemed.get('VE|all|redeemed|all'), 182);
    // Without the card: 12 in VE-A and 4 in VE-B. The 4 is withheld, and with it what would
    // give it away through the relation without the card ≤ redeemed (VE-B's card cell, 31,
    // or the 12 beside it).
    const fourWithheld = expectSmallCountProtected(redeemed.get(`VE-B|${a}|without_card|all`), 4);
    const revealing = [
      `VE-B|${a}|card|all`,
      `VE-A|${a}|without_card|all`,
      `VE|${a}|without_card|all`,
    ];
    if (fourWithheld) expect(revealing.some((key) => redeemed.get(key) === null)).toBe(true);
    expect(redeemed.get(`VE-A|${b}|without_card|all`)).toBe(0);
    const time = await cells('redeemed_by_program_cycle_state', [
      'program.cycle',
      'time_to_redeem',
    ]);
    expectNoisyCount(time.get(`VE|${a}|redeemed|0`), 40);
    expectNoisyCount(time.get(`VE|${b}|redeemed|30+`), 45);
    for (const value of [...time.values(), ...redeemed.values()]) {
      expect(value === null || value === 0 || (value >= 10 && value % 5 === 0)).toBe(true);
    }
    const tooFine = readTable(database.db, findTable('redeemed_by_program_cycle_state', true), [
      'program.cycle',
      'mode',
      'time_to_redeem',
    ]);
    await expect(tooFine).rejects.toMatchObject({ code: 'AMP_STATISTICS_BREAKDOWN_TOO_FINE' });
  });
});
