/**
 * What `bench/distribution-offline-check.ts` bundles for the browser: the point-of-service
 * app's own snapshot reader and offline card check, unchanged.
 */
export {
  offlineLookup,
  openSnapshot,
} from '../../web/src/features/distribution/offline/offline-snapshot.js';
