import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type SystemRoutesOptions, systemRoutes } from './routes.js';

export type SystemPluginOptions = SystemRoutesOptions;

/**
 * The system module's routes, `/healthz` and `/readyz`: registered at the root, where load
 * balancers and orchestrators look for them, not under `/api`.
 *
 * @example
 *   await app.register(systemPlugin, { db, duplicateIndex, auditSigning });
 */
export const systemPlugin: FastifyPluginAsyncTypebox<SystemPluginOptions> = async (
  app,
  options,
) => {
  const { db, duplicateIndex, auditSigning } = options;
  await app.register(systemRoutes, { db, duplicateIndex, auditSigning });
};
