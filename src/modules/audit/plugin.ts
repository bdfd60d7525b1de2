import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type AccessHistoryRoutesOptions, accessHistoryRoutes } from './access-history-routes.js';
import { type AuditRoutesOptions, auditRoutes } from './routes.js';

/** What the composition (`src/app.ts`) gives the audit routes, its ports included. */
export type AuditPluginOptions = AuditRoutesOptions & AccessHistoryRoutesOptions;

/**
 * The audit module's routes, one plugin under the prefix `app.ts` gives it (`/api`): tree
 * heads, proofs, entries, signing keys and a person's access history.
 *
 * @example
 *   await app.register(auditPlugin, { prefix: '/api', db, auditLog, keys, guard, personRegion });
 */
export const auditPlugin: FastifyPluginAsyncTypebox<AuditPluginOptions> = async (app, options) => {
  const { db, auditLog, guard } = options;
  await app.register(auditRoutes, { auditLog, db, guard });
  await app.register(accessHistoryRoutes, {
    db,
    auditLog,
    keys: options.keys,
    guard,
    personRegion: options.personRegion,
    ...(options.offlineLists === undefined ? {} : { offlineLists: options.offlineLists }),
  });
};
