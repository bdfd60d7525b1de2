import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import type { AggregateReadModels, StockGroup } from '../read-models.js';
import { findTable, readTable } from './table-reader.js';
import { statisticsRefresher } from './table-refresher.js';

/**
 * Stock moved by point (issue #17, point 2) from given read-model answers, refreshed on a real
 * database: a cell made of fewer than 10 movements (a few persons served at a point) is
 * withheld even when its units are many, so is a cell one large delivery dominates (p % rule),
 * and so are the cells that would let either be subtracted from the state or country totals;
 * the rest are rounded to 10 units. Without a stock read model the table is skipped.
 */
const month = '2026-11';
const group = (
  pointCode: string,
  stateCode: string,
  kind: StockGroup['kind'],
  movements: number,
  units: number,
  largest: [number, number],
): StockGroup => ({
  pointCode,
  stateCode,
  item: 'rice_kg',
  kind,
  month,
  movements,
  units,
  largest,
});
const stock: StockGroup[] = [
  // VE-A: a busy point and a quiet one (3 persons served: withheld).
  group('caracas-01', 'VE-A', 'redemption', 240, 480, [2, 2]),
  group('caracas-01', 'VE-A', 'delivery', 12, 600, [50, 50]),
  group('caracas-02', 'VE-A', 'redemption', 3, 6, [2, 2]),
  group('caracas-02', 'VE-A', 'delivery', 11, 1_010, [900, 10]), // one delivery dominates
  // VE-B: two busy points.
  group('maracay-01', 'VE-B', 'redemption', 150, 300, [2, 2]),
  group('maracay-01', 'VE-B', 'delivery', 10, 400, [40, 40]),
  group('maracay-02', 'VE-B', 'redemption', 130, 260, [2, 2]),
  group('maracay-02', 'VE-B', 'delivery', 10, 300, [30, 30]),
];
const models: AggregateReadModels = {
  people: async () => [],
  coverage: async () => [],
  stock: async () => stock,
};

describe('stock moved by point', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  }, 60_000);
  afterAll(async () => database?.close());

  it('is skipped when no stock read model is wired', async () => {
    await statisticsRefresher({
      db: database.db,
      models: { people: models.people, coverage: models.coverage },
    });
    const stored = await database.db.selectFrom('statistics_table').select('code').execute();
    expect(stored.map((row) => row.code)).not.toContain('stock_moved_by_point_month');
  });

  it('withholds few-movement and dominated cells and what would give them away', async () => {
    await statisticsRefresher({ db: database.db, models });
    const answer = await readTable(database.db, findTable('stock_moved_by_point_month', true), [
      'region.point',
      'item',
      'kind',
      'month',
    ]);
    const cells = new Map(answer.cells.map((cell) => [cell.key.join('|'), cell.value]));
    // A point is keyed under its state, so a reader can place it.
    const keyOf = (region: string) =>
      region.startsWith('VE')
        ? region
        : `${region.startsWith('caracas') ? 'VE-A' : 'VE-B'}/${region}`;
    const at = (region: string, kind: string, when = month) =>
      cells.get([keyOf(region), 'rice_kg', kind, when].join('|'));
    expect(at('caracas-02', 'redemption')).toBeNull(); // 3 persons served
    expect(at('caracas-02', 'delivery')).toBeNull(); // 900 of 1,010 in one delivery
    // VE-A's redemptions less caracas-01's would give caracas-02's 6 units away.
    expect(at('VE-A', 'redemption') === null || at('caracas-01', 'redemption') === null).toBe(true);
    expect(at('maracay-01', 'redemption')).toBe(300);
    expect(at('maracay-02', 'delivery')).toBe(300);
    for (const value of cells.values()) {
      expect(value === null || value === 0 || (value >= 10 && value % 10 === 0)).toBe(true);
    }
    expect(answer.rules.roundingBase).toBe(10);
    // Units of two items do not add up: no cell sums over items.
    expect(answer.cells.filter((cell) => cell.key[1] === 'all')).toEqual([]);
    expect(at('maracay-01', 'redemption')).toBe(300);
  });

  it('answers a differencing pair of stock breakdowns with cells of the one protected cube', async () => {
    // Stock gets no noise (README, "Differencing"): the states are the margins of the points,
    // cell for cell, withheld ones withheld in both.
    const table = findTable('stock_moved_by_point_month', true);
    const fine = await readTable(database.db, table, ['region.point', 'item', 'kind', 'month']);
    const coarse = await readTable(database.db, table, ['region.state', 'item', 'kind', 'month']);
    const byKey = new Map(fine.cells.map((cell) => [cell.key.join('|'), cell.value]));
    expect(coarse.cells.length).toBeGreaterThan(0);
    for (const cell of coarse.cells) {
      expect(cell.key[0]).not.toContain('/');
      expect(byKey.get(cell.key.join('|'))).toBe(cell.value);
    }
  });

  it('refuses a breakdown it does not publish', async () => {
    await expect(
      readTable(database.db, findTable('stock_moved_by_point_month', true), ['region.parish']),
    ).rejects.toMatchObject({ code: 'AMP_STATISTICS_UNKNOWN_DIMENSION' });
  });
});
