import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { StatisticsSummary, StatisticsTable } from '../../../shared/api/statistics.js';
import { statisticsLimits } from '../limits.js';
import { StatisticsError } from '../statistics-error.js';
import { type PublishedTable, publishedTables } from './catalogue.js';
import type { StoredCell } from './table-refresher.js';

export type TableSummary = StatisticsSummary;
export type TableAnswer = StatisticsTable;

function byOf(table: PublishedTable, breakdown: Readonly<Record<string, number>>): string {
  return Object.entries(table.levels)
    .filter(([, level]) => (breakdown[level.dimension] ?? 0) === level.depth)
    .map(([name]) => name)
    .join(',');
}

export function summaryOf(table: PublishedTable): TableSummary {
  return {
    code: table.code,
    public: table.public,
    title: table.title,
    definition: table.definition,
    breakdowns: table.breakdowns.map((breakdown) => byOf(table, breakdown)),
    ...(table.unit === undefined ? {} : { unit: table.unit }),
  };
}

/** The breakdown a table is read at when none is asked: its first published one. */
export function defaultBreakdown(table: PublishedTable): string {
  return summaryOf(table).breakdowns[0] ?? '';
}

export function listTables(publicOnly: boolean): TableSummary[] {
  return publishedTables.filter((table) => table.public || !publicOnly).map(summaryOf);
}

export function findTable(code: string, publicOnly: boolean): PublishedTable {
  const table = publishedTables.find((t) => t.code === code && (t.public || !publicOnly));
  if (table === undefined) throw new StatisticsError('AMP_STATISTICS_UNKNOWN_TABLE', code);
  return table;
}

/**
 * The asked breakdown as a depth per dimension, refused when it names an unknown dimension
 * or is finer than every published breakdown (which would show cells the protection never
 * considered).
 */
export function breakdownOf(table: PublishedTable, by: readonly string[]): Record<string, number> {
  if (by.length > statisticsLimits.breakdownDimensionsMax) {
    throw new StatisticsError('AMP_STATISTICS_BREAKDOWN_TOO_FINE', `${by.length} dimensions`);
  }
  const asked: Record<string, number> = {};
  for (const name of by) {
    const level = table.levels[name];
    if (level === undefined) throw new StatisticsError('AMP_STATISTICS_UNKNOWN_DIMENSION', name);
    asked[level.dimension] = Math.max(asked[level.dimension] ?? 0, level.depth);
  }
  const covered = table.breakdowns.some((breakdown) =>
    Object.entries(asked).every(([dimension, depth]) => depth <= (breakdown[dimension] ?? 0)),
  );
  if (!covered) throw new StatisticsError('AMP_STATISTICS_BREAKDOWN_TOO_FINE', by.join(','));
  return asked;
}

/** One published table at one breakdown: the stored protected cells at or above it. */
export async function readTable(
  db: Kysely<Database>,
  table: PublishedTable,
  by: readonly string[],
): Promise<TableAnswer> {
  const chosen = by.length > 0 ? by : defaultBreakdown(table).split(',');
  const asked = breakdownOf(table, chosen);
  const row = await db
    .selectFrom('statistics_table')
    .select(['refreshed_at', 'rules', 'cells'])
    .where('code', '=', table.storedIn ?? table.code)
    .executeTakeFirst();
  if (row === undefined) throw new StatisticsError('AMP_STATISTICS_NOT_REFRESHED', table.code);
  // Safe: the refresher wrote these columns from these types (text on PGlite).
  const stored = (
    typeof row.cells === 'string' ? JSON.parse(row.cells) : row.cells
  ) as StoredCell[];
  const cells = table.derive === undefined ? stored : table.derive(stored);
  const rules = (
    typeof row.rules === 'string' ? JSON.parse(row.rules) : row.rules
  ) as TableAnswer['rules'];
  const dimensions = dimensionNames(table);
  const only = table.only;
  const onlyAt = only === undefined ? -1 : dimensions.indexOf(only.dimension);
  const shown = cells.filter(
    (cell) =>
      dimensions.every((dimension, d) => (cell.depths[d] ?? 0) <= (asked[dimension] ?? 0)) &&
      (only === undefined || only.codes.includes(cell.key[onlyAt] ?? '')),
  );
  return {
    ...summaryOf(table),
    refreshedAt: new Date(row.refreshed_at).toISOString(),
    by: [...chosen],
    dimensions,
    rules,
    cells: shown.map((cell) => ({
      key: [...cell.key],
      depths: [...cell.depths],
      value: cell.value,
    })),
  };
}

function dimensionNames(table: PublishedTable): string[] {
  const names: string[] = [];
  for (const level of Object.values(table.levels)) {
    if (!names.includes(level.dimension)) names.push(level.dimension);
  }
  return names;
}
