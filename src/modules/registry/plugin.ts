import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { catalogueRoutes } from './catalogue/routes.js';
import { clusterRoutes } from './dedup/cluster-routes.js';
import type { ErasureDependencies } from './erasure/erasure-view.js';
import { erasureRoutes } from './erasure/routes.js';
import { type ImportRouteOptions, importRoutes } from './import/routes.js';
import { registryRoutes } from './persons/read-routes.js';
import { type RegistryWriteOptions, registryWriteRoutes } from './persons/write-routes.js';

/** What the composition (`src/app.ts`) gives the registry's routes. */
export type RegistryPluginOptions = RegistryWriteOptions &
  ImportRouteOptions &
  Pick<ErasureDependencies, 'audit' | 'duplicates' | 'events'>;

/**
 * The registry's routes, one plugin under the prefix `app.ts` gives it (`/api`): the
 * catalogue, person reads and writes, households, duplicate review, imports, erasure and
 * duplicate clusters.
 *
 * @example
 *   await app.register(registryPlugin, { prefix: '/api', db, audit, masterKey, databaseKind,
 *     duplicates, events });
 */
export const registryPlugin: FastifyPluginAsyncTypebox<RegistryPluginOptions> = async (
  app,
  options,
) => {
  const { db, audit, masterKey, duplicates, events } = options;
  await app.register(catalogueRoutes);
  await app.register(registryRoutes, { db, audit, masterKey });
  await app.register(importRoutes, {
    db,
    databaseKind: options.databaseKind,
    masterKey,
    audit,
  });
  await app.register(registryWriteRoutes, { db, audit, masterKey, duplicates, events });
  await app.register(erasureRoutes, { db, audit, duplicates, events });
  await app.register(clusterRoutes, { db, audit });
};
