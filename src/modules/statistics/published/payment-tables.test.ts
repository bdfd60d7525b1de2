import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import type { AggregateReadModels, CoverageGroup, PaymentGroup } from '../read-models.js';
import { expectNoisyCount, expectSmallCountProtected } from '../statistics-test-kit.js';
import { flatDimension } from '../tables/dimensions.js';
import { protectAmounts } from './amount-protection.js';
import { findTable, readTable } from './table-reader.js';
import { statisticsRefresher } from './table-refresher.js';

/**
 * The payments tables (issue #17, points 2 and 3) from given read-model answers, refreshed on
 * a real database: persons paid as counts; amounts withheld when paid to fewer than 10 persons
 * or dominated by one payment (p % rule, p = 10), with the complements that keep them from
 * being derived from the totals; the rest rounded to 1,000.
 */
const cycle = (n: number) => `00000000-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`;
const coverage: CoverageGroup[] = [1, 2, 3, 4].map((n) => ({
  programCode: n <= 2 ? 'bono' : 'pension',
  cycleId: cycle(n),
  referenceDate: `2026-${n <= 2 ? 9 + n : 7 + n}-01`,
  stateCode: 'VE-A',
  municipalityCode: null,
  enrolled: 0,
  eligible: 0,
  entitled: 0,
  redeemed: 0,
  redeemedWithoutCard: 0,
  appealsFiled: 0,
  appealsUpheld: 0,
}));
const programId = '00000000-0000-4000-8000-0000000000ff';
const payments: PaymentGroup[] = [
  // bono: October, 500 persons; November, 8 persons (too few).
  {
    programId,
    cycleId: cycle(1),
    currency: 'VES',
    month: '2026-10',
    payees: 500,
    amountMinor: 65_000_000_00n,
  },
  {
    programId,
    cycleId: cycle(2),
    currency: 'VES',
    month: '2026-11',
    payees: 8,
    amountMinor: 1_040_000_00n,
  },
  // pension: October ordinary; November one payment of 900,000 in 1,000,000 (dominated).
  {
    programId,
    cycleId: cycle(3),
    currency: 'VES',
    month: '2026-10',
    payees: 300,
    amountMinor: 39_000_000_00n,
    largestMinor: [130_000_00n, 130_000_00n],
  },
  {
    programId,
    cycleId: cycle(4),
    currency: 'VES',
    month: '2026-11',
    payees: 30,
    amountMinor: 1_000_000_00n,
    largestMinor: [900_000_00n, 50_000_00n],
  },
];
const models: AggregateReadModels = {
  people: async () => [],
  coverage: async () => coverage,
  payments: async () => payments,
};

describe('payments tables', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
    await statisticsRefresher({ db: database.db, models });
  }, 60_000);
  afterAll(async () => database?.close());

  const cells = async (code: string) => {
    const answer = await readTable(database.db, findTable(code, true), ['program', 'month']);
    return new Map(answer.cells.map((cell) => [cell.key.join('|'), cell.value]));
  };

  it('publishes persons paid as protected counts', async () => {
    const payees = await cells('payees_by_program_month');
    expectSmallCountProtected(payees.get('bono|2026-11'), 8);
    expectNoisyCount(payees.get('all|all'), 838);
    for (const value of payees.values()) {
      expect(value === null || value === 0 || (value >= 10 && value % 5 === 0)).toBe(true);
    }
  });

  it('withholds amounts paid to few persons or dominated by one payment, and their complements', async () => {
    const paid = await cells('paid_ves_by_program_month');
    expect(paid.get('bono|2026-11')).toBeNull(); // 8 persons
    expect(paid.get('pension|2026-11')).toBeNull(); // 900,000 of 1,000,000: p % rule
    // Each withheld amount's row and column hold another withheld amount, so the margins
    // leave it a range wider than 10 % either side (protectTable checks a certificate of it).
    expect(paid.get('bono|2026-10')).toBeNull();
    expect(paid.get('pension|2026-10')).toBeNull();
    for (const value of paid.values()) expect(value === null || value % 1000 === 0).toBe(true);
    expect(paid.get('all|all')).toBe(106_040_000);
    expect(paid.get('all|2026-11')).toBe(2_040_000);
  });

  it('answers a differencing pair of amount breakdowns with cells of the one protected cube, and refuses a finer one', async () => {
    // The amounts get no noise (README, "Differencing"): what keeps two requests from being
    // subtracted is that every breakdown anyone may ask is a view of the cube the protection
    // saw. The months alone are the margins of program × month, cell for cell, withheld ones
    // withheld in both, so the pair tells nothing the finer answer does not.
    const table = findTable('paid_ves_by_program_month', true);
    const fine = await readTable(database.db, table, ['program', 'month']);
    const coarse = await readTable(database.db, table, ['month']);
    const byKey = new Map(fine.cells.map((cell) => [cell.key.join('|'), cell.value]));
    expect(coarse.cells.length).toBeGreaterThan(0);
    for (const cell of coarse.cells) {
      expect(cell.key[0]).toBe('all');
      expect(byKey.get(cell.key.join('|'))).toBe(cell.value);
    }
    expect(coarse.cells.find((cell) => cell.key.join('|') === 'all|2026-11')?.value).toBe(
      2_040_000,
    );
    await expect(
      readTable(database.db, table, ['program', 'month', 'region.state']),
    ).rejects.toMatchObject({
      code: 'AMP_STATISTICS_UNKNOWN_DIMENSION',
    });
    await expect(readTable(database.db, table, ['program.cycle', 'month'])).rejects.toMatchObject({
      code: 'AMP_STATISTICS_UNKNOWN_DIMENSION',
    });
  });

  it('skips the table of a currency nothing was paid in', async () => {
    const stored = await database.db.selectFrom('statistics_table').select('code').execute();
    expect(stored.map((row) => row.code)).not.toContain('paid_usd_by_program_month');
  });

  it('applies the p % rule to an amount paid to many but dominated by one payment', async () => {
    const cube = {
      dimensions: [flatDimension('program', ['pension']), flatDimension('month', ['10', '11'])],
      leaves: [
        { key: ['pension', '10'], payees: 300, amount: 39_000_000, largest: [130_000, 130_000] },
        { key: ['pension', '11'], payees: 30, amount: 1_000_000, largest: [900_000, 50_000] },
      ],
    };
    const rules = { threshold: 10, protectionLevel: 10, roundingBase: 1000 };
    const dominated = await protectAmounts(cube, rules, 10, new Set());
    const value = (key: string) =>
      dominated.cells.find((cell) => cell.key.join('|') === key)?.status;
    expect(value('pension|11')).toBe('primary');
    expect(value('pension|10')).toBe('secondary');
    expect(value('all|all')).toBe('published');
    // With the two largest payments small against the rest, nothing is withheld.
    const spread = await protectAmounts(
      {
        ...cube,
        leaves: cube.leaves.map((leaf) => ({ ...leaf, largest: [100_000, 90_000] })),
      },
      rules,
      10,
      new Set(),
    );
    expect(spread.primary).toBe(0);
  });
});
