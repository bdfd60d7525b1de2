import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { assistedRoutes } from './assisted/assisted-routes.js';
import { deviceRoutes } from './devices/device-routes.js';
import type { DistributionDependencies } from './distribution-context.js';
import { holdObjectionRoutes } from './holds/hold-objection-routes.js';
import { holdRoutes } from './holds/hold-routes.js';
import { offlineRoutes } from './offline/offline-routes.js';
import { proofKeyRoutes } from './offline/proof-key-routes.js';
import { reconciliationRoutes } from './reconciliation/reconciliation-routes.js';
import { redemptionRoutes } from './redemption/redemption-routes.js';
import { pointRoutes } from './routes.js';
import { transferRoutes } from './stock/transfer-routes.js';

export type DistributionPluginOptions = DistributionDependencies;

/**
 * The distribution module's routes, one plugin under the prefix `app.ts` gives it (`/api`):
 * points, stock, redemption.
 *
 * @example
 *   await app.register(distributionPlugin, { prefix: '/api', db, audit, keys });
 */
export const distributionPlugin: FastifyPluginAsyncTypebox<DistributionPluginOptions> = async (
  app,
  options,
) => {
  // Named one by one: the options also carry the prefix, which must not apply twice.
  const { db, audit, keys, now, identities, notifier, issuerName, settings, personRegion } =
    options;
  const deps = {
    db,
    audit,
    keys,
    ...(now ? { now } : {}),
    ...(identities ? { identities } : {}),
    ...(notifier ? { notifier } : {}),
    ...(issuerName ? { issuerName } : {}),
    ...(settings ? { settings } : {}),
    ...(personRegion ? { personRegion } : {}),
  };
  await app.register(pointRoutes, deps);
  await app.register(transferRoutes, deps);
  await app.register(redemptionRoutes, deps);
  await app.register(assistedRoutes, deps);
  await app.register(reconciliationRoutes, deps);
  await app.register(deviceRoutes, deps);
  await app.register(offlineRoutes, deps);
  await app.register(proofKeyRoutes, deps);
  await app.register(holdRoutes, deps);
  await app.register(holdObjectionRoutes, deps);
};
