import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type CredentialRouteOptions, credentialRoutes } from './routes.js';

export type CredentialsPluginOptions = CredentialRouteOptions;

/**
 * The credentials module's routes, one plugin under the prefix `app.ts` gives it (`/api`): a
 * person's cards, card files, revocation, and the published trust anchor and lists.
 *
 * @example
 *   await app.register(credentialsPlugin, { prefix: '/api', db, audit, keys, issuance, notifier });
 */
export const credentialsPlugin: FastifyPluginAsyncTypebox<CredentialsPluginOptions> = async (
  app,
  options,
) => {
  // Named one by one: the options also carry the prefix, which must not apply twice.
  const { db, audit, keys, issuance, notifier, now } = options;
  await app.register(credentialRoutes, { db, audit, keys, issuance, notifier, now });
};
