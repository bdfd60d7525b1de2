/**
 * Credentials' public face: the only file other modules and the composition (`src/app.ts`)
 * import. Re-exports only.
 */

export { cardsIssued } from './cards-issued.js';
export { verifyOnThreadPool } from './node-primitives.js';
export {
  activeCardIdsOf,
  type OfflineCardHolder,
  offlineCardHolders,
} from './offline-card-lookup.js';
export {
  type OfflineCardProof,
  type OfflineCardShown,
  offlineCardProofs,
} from './offline-card-proof.js';
export { type OnlineCardCheck, onlineCardCheck } from './online-card-check.js';
export { type CredentialsPluginOptions, credentialsPlugin } from './plugin.js';
export {
  type ListDependencies,
  publishedRevocations,
  publishedTrustList,
} from './published-lists.js';
export { revokeCardsOnRegistryEvents } from './registry-subscriptions.js';
export { revocationHash } from './revocation-list.js';
export {
  householdCardCheck,
  newOneTimeCode,
  oneTimeCodeHash,
  oneTimeCodeMatches,
  oneTimeCodeVerdict,
} from './second-check.js';
export { canonicalJson, type SignedDocument } from './signed-document.js';
