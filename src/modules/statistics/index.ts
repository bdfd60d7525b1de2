/**
 * The statistics module's public face (issue #17): aggregate tables for ministries, never
 * lists of people. Re-exports only. So far: disclosure control — primary and complementary
 * suppression chosen by linear programming, rounding, the p % dominance rule.
 */
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
export {
  ageBandDimension,
  ageBandOf,
  ageBands,
  flatDimension,
  type RegionLevel,
  regionDimension,
  sexDimension,
} from './tables/dimensions.js';
