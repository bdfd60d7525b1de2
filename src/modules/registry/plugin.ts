import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { catalogueRoutes } from './catalogue/routes.js';
import { clusterRoutes } from './dedup/cluster-routes.js';
import type { ErasureDependencies } from './erasure/erasure-view.js';
import { erasureRoutes } from './erasure/routes.js';
import { householdRoutes } from './households/routes.js';
import { type ImportRouteOptions, importRoutes } from './import/routes.js';
import type { RegistryWriteDependencies } from './persons/person-writer.js';
import { personReadRoutes } from './persons/read-routes.js';
import { personWriteRoutes } from './persons/write-routes.js';
import { type DuplicateChecker, loadDuplicateChecker } from './review/duplicate-checker.js';
import { reviewRoutes } from './review/routes.js';
import { searchRoutes } from './search/routes.js';

/** What the composition (`src/app.ts`) gives the registry; the duplicate checker is built here when not given. */
export type RegistryPluginOptions = Omit<RegistryWriteDependencies, 'duplicates'> &
  ImportRouteOptions &
  Pick<ErasureDependencies, 'audit' | 'events'> & { duplicates?: DuplicateChecker };

/**
 * The registry's routes, one plugin under the prefix `app.ts` gives it (`/api`). Each room
 * registers its own routes here, side by side, so no room's routes hide inside another's: the
 * catalogue, person reads, imports, person writes, households, search, the duplicate review
 * queue, erasure and duplicate clusters (in the order of the API document). Deaths, merges and
 * erasures are published on `events`, to which modules above subscribe in `src/app.ts`.
 *
 * @example
 *   await app.register(registryPlugin, { prefix: '/api', db, audit, masterKey, databaseKind,
 *     duplicates, events });
 */
export const registryPlugin: FastifyPluginAsyncTypebox<RegistryPluginOptions> = async (
  app,
  options,
) => {
  const { db, audit, masterKey, events } = options;
  const duplicates = options.duplicates ?? (await loadDuplicateChecker(db));
  const deps: RegistryWriteDependencies = { db, audit, masterKey, duplicates, events };
  await app.register(catalogueRoutes);
  await app.register(personReadRoutes, { db, audit, masterKey });
  await app.register(importRoutes, {
    db,
    databaseKind: options.databaseKind,
    masterKey,
    audit,
  });
  await app.register(personWriteRoutes, deps);
  await app.register(householdRoutes, deps);
  await app.register(searchRoutes, deps);
  await app.register(reviewRoutes, deps);
  await app.register(erasureRoutes, { db, audit, duplicates, events });
  await app.register(clusterRoutes, { db, audit });
};
