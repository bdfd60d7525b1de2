/**
 * Credentials' public face: the only file other modules and the composition (`src/app.ts`)
 * import. Re-exports only.
 */

export { type OnlineCardCheck, onlineCardCheck } from './online-card-check.js';
export { type CredentialsPluginOptions, credentialsPlugin } from './plugin.js';
export { revokeCardsOnRegistryEvents } from './registry-subscriptions.js';
