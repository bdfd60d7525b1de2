import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PaymentsDependencies } from './payments-context.js';
import { paymentsRoutes } from './payments-routes.js';
import { payoutRoutes } from './payouts/payout-routes.js';

export type PaymentsPluginOptions = PaymentsDependencies;

/**
 * The payments module's routes, one plugin under the prefix `app.ts` gives it (`/api`):
 * wallets, funding, disbursements, statements (and payouts, under `payouts/`).
 *
 * @example
 *   await app.register(paymentsPlugin, { prefix: '/api', db, audit, onWalletCredited });
 */
export const paymentsPlugin: FastifyPluginAsyncTypebox<PaymentsPluginOptions> = async (
  app,
  options,
) => {
  // Named one by one: the options also carry the prefix, which must not apply twice.
  const { db, audit, now, onWalletCredited } = options;
  const deps: PaymentsDependencies = {
    db,
    audit,
    ...(now ? { now } : {}),
    ...(onWalletCredited ? { onWalletCredited } : {}),
  };
  await app.register(payoutRoutes, deps);
  await app.register(paymentsRoutes, deps);
};
