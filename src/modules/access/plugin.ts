import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type AlertRoutesOptions, alertRoutes } from './alert-routes.js';
import type { OperatorAdminDependencies } from './operator-admin-context.js';
import { operatorAdminRoutes } from './operator-admin-routes.js';

/** What the composition (`src/app.ts`) gives the staff administration routes. */
export type AccessAdminPluginOptions = AlertRoutesOptions & OperatorAdminDependencies;

/**
 * The access module's routes, one plugin under the prefix `app.ts` gives it (`/api`): staff
 * accounts and their two-administrator changes, and security alerts. Sign-in and sessions
 * are served by `accessPlugin`, the cross-cutting authentication every route depends on
 * (a `fastify-plugin`, registered first, which cannot take a prefix).
 *
 * @example
 *   await app.register(accessAdminPlugin, { prefix: '/api', db, audit, masterKey, hashOptions,
 *     now });
 */
export const accessAdminPlugin: FastifyPluginAsyncTypebox<AccessAdminPluginOptions> = async (
  app,
  options,
) => {
  const { db, audit, masterKey, hashOptions, now } = options;
  await app.register(alertRoutes, { db, audit });
  await app.register(operatorAdminRoutes, { db, audit, masterKey, hashOptions, now });
};
