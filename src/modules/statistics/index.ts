/**
 * The statistics module's public face (issue #17): aggregate tables for ministries, never
 * lists of people. Re-exports only. It reads the aggregate read models the owning modules
 * publish (handed in by `src/app.ts`), protects every table (suppression, rounding), stores
 * only protected cells and serves them to analysts and, for public tables, as open data.
 */
export { certificateChecker } from './disclosure/certificate.js';
export { dominanceSensitive } from './disclosure/dominance.js';
export { type Dimension, type LinkedTable, linkedTable } from './disclosure/linked-table.js';
export {
  type CellStatus,
  type DisclosureRules,
  type ProtectedCell,
  type ProtectedTable,
  protectTable,
  roundToBase,
} from './disclosure/protect-table.js';
export { type StatisticsPluginOptions, statisticsPlugin } from './plugin.js';
export { publishedTables } from './published/catalogue.js';
export {
  type LeasedRefresh,
  type RefreshSchedule,
  refreshUnderLease,
  startRefreshSchedule,
} from './published/refresh-schedule.js';
export { type RefreshProgress, statisticsRefresher } from './published/table-refresher.js';
export type { AggregateReadModels } from './read-models.js';
export { StatisticsError } from './statistics-error.js';
export {
  ageBandDimension,
  ageBandOf,
  ageBands,
  flatDimension,
  type RegionLevel,
  regionDimension,
  sexDimension,
} from './tables/dimensions.js';
