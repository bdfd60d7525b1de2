/**
 * The distribution module's public face (issue #15): points, stock, redemption. Only the
 * composition (`src/app.ts`) imports it; no module below it may. Re-exports only.
 */
export type { DistributionDependencies } from './distribution-context.js';
export { DistributionError, type DistributionErrorCode } from './distribution-error.js';
export { holdLapseNotifier, startHoldLapseSweep } from './holds/hold-lapse-sweep.js';
export { proofKeyRotator } from './offline/proof-key-versions.js';
export {
  offlineListSource,
  type PersonAreasEver,
  snapshotCommitments,
} from './offline/snapshot-history.js';
export { type DistributionPluginOptions, distributionPlugin } from './plugin.js';
export { collectionNotices, type PersonAreas } from './points/collection-notices.js';
export { settleUnredeemedOnCycleClose } from './redemption/carry-over.js';
export { cancelRedemptionsOnRegistryEvents } from './redemption/registry-subscriptions.js';
export {
  firstRedemptionsRelation,
  type RedemptionGroup,
  redemptionsByCycleStateDay,
} from './statistics-read-model.js';
export { type StockGroup, stockMovementsByPointMonth } from './stock-statistics-read-model.js';
export type { DistributionTables } from './tables.js';
