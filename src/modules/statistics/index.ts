/**
 * The statistics module's public face (issue #17): aggregate tables for ministries, never
 * lists of people. Re-exports only. So far: disclosure control — primary and complementary
 * suppression audited by a linear-programming attacker, rounding, the p % dominance rule.
 */
export { dominanceSensitive } from './disclosure/dominance.js';
export { attackIntervals, type Interval } from './disclosure/interval-attack.js';
export { type Dimension, type LinkedTable, linkedTable } from './disclosure/linked-table.js';
export {
  type CellStatus,
  type DisclosureRules,
  type ProtectedCell,
  type ProtectedTable,
  protectTable,
  roundToBase,
} from './disclosure/protect-table.js';
