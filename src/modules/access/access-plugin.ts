import fastifyPlugin from 'fastify-plugin';
import { type AccessOptions, createAccessContext } from './access-context.js';
import { authRoutes } from './auth-routes.js';
import { installAuthentication } from './authentication.js';
import { citizenRoutes } from './citizen-routes.js';
import { grantEvictionAlerter, installGrantScope } from './request-grants.js';

/**
 * Authentication for the whole application. Registered once on the root instance (it is a
 * `fastify-plugin`, so its hook and `request.actor` reach every route registered after it):
 * it resolves `request.actor` from the session cookie or a bearer token on every request,
 * and serves `/api/auth/*`, `/api/citizen/sign-in/*` and `/api/citizen-codes`. It also opens
 * each request's record of the grants the gate makes (`request-grants.ts`).
 *
 * @example
 *   await app.register(accessPlugin, { db, masterKey: keys.masterKey, onSignInAttempt });
 *   app.get('/api/persons/:id', { preHandler: requireOperator }, handler);
 */
export const accessPlugin = fastifyPlugin<AccessOptions>(
  async (app, options) => {
    const context = createAccessContext(options);
    await installAuthentication(app, context);
    installGrantScope(app, { onForgotten: grantEvictionAlerter(options.db) });
    await app.register(authRoutes, { prefix: '/api/auth', context });
    await app.register(citizenRoutes, { prefix: '/api', context });
  },
  { name: 'amparo-access', fastify: '5.x' },
);
