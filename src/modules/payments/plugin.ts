import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { controlsRoutes } from './controls/controls-routes.js';
import { merchantRoutes } from './merchants/merchant-routes.js';
import type { PaymentsDependencies } from './payments-context.js';
import { paymentsRoutes } from './payments-routes.js';
import { payoutPreviewRoutes } from './payouts/batch-preview-routes.js';
import { payeeRoutes } from './payouts/payee-routes.js';
import { payingAccountRoutes } from './payouts/paying-account-routes.js';
import { payoutRoutes } from './payouts/payout-routes.js';

/** The module's dependencies, and the master key that seals payout creditors (payouts/). */
export type PaymentsPluginOptions = PaymentsDependencies & { masterKey: Buffer };

/**
 * The payments module's routes, one plugin under the prefix `app.ts` gives it (`/api`):
 * wallets, funding, disbursements, statements (and payouts, under `payouts/`).
 *
 * @example
 *   await app.register(paymentsPlugin, { prefix: '/api', db, audit, masterKey, onWalletCredited });
 */
export const paymentsPlugin: FastifyPluginAsyncTypebox<PaymentsPluginOptions> = async (
  app,
  options,
) => {
  // Named one by one: the options also carry the prefix, which must not apply twice.
  const { db, audit, now, onWalletCredited, masterKey, keys, pinHashOptions, notifier, pinGuard } =
    options;
  const { counterAssistedPerDayMax } = options;
  const deps: PaymentsDependencies = {
    db,
    audit,
    ...(now ? { now } : {}),
    ...(onWalletCredited ? { onWalletCredited } : {}),
    ...(keys ? { keys } : {}),
    ...(pinHashOptions ? { pinHashOptions } : {}),
    ...(notifier ? { notifier } : {}),
    ...(counterAssistedPerDayMax !== undefined ? { counterAssistedPerDayMax } : {}),
    ...(pinGuard ? { pinGuard } : {}),
  };
  await app.register(payoutRoutes, { ...deps, masterKey });
  await app.register(payeeRoutes, { ...deps, masterKey });
  await app.register(payoutPreviewRoutes, { ...deps, masterKey });
  await app.register(payingAccountRoutes, deps);
  await app.register(paymentsRoutes, deps);
  await app.register(controlsRoutes, deps);
  await app.register(merchantRoutes, deps);
};
