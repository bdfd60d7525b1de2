import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from 'typebox';
import { PurposeQuery } from '../../../shared/api/params.js';
import { contextOf, type PaymentsDependencies } from '../payments-context.js';
import {
  type PayingAccountTarget,
  type PayingAccountVersion,
  payingAccountReader,
  payingAccountSetter,
} from './paying-account.js';
import { DebtorFields } from './payout-schema.js';

const PayingAccountBody = Type.Object(
  {
    ...DebtorFields,
    expectedVersion: Type.Integer({
      minimum: 0,
      description: 'The version read (0 when none was set): a change made since is refused, 409',
    }),
  },
  { additionalProperties: false },
);

const VersionSchema = Type.Object({
  version: Type.Integer(),
  name: Type.String(),
  accountNumber: Type.String(),
  bankCode: Type.String(),
  bic: Type.Union([Type.String(), Type.Null()]),
  setBy: Type.String({ format: 'uuid' }),
  setAt: Type.String({ format: 'date-time' }),
});
const HistorySchema = Type.Object({
  current: Type.Union([VersionSchema, Type.Null()]),
  history: Type.Array(VersionSchema, { description: 'Newest first, at most 50' }),
});

const presented = (version: PayingAccountVersion): Static<typeof VersionSchema> => ({
  version: version.version,
  name: version.name,
  accountNumber: version.accountNumber,
  bankCode: version.bankCode,
  bic: version.bic ?? null,
  setBy: version.setBy,
  setAt: version.setAt.toISOString(),
});

/**
 * The agency's stored paying (debtor) account, per program (payout batches) and per currency
 * (the daily merchant settlement): read with `payment.ledger_read`, set with
 * `payment.paying_account_set`, both audited. payouts/README.md, "The paying account".
 */
export const payingAccountRoutes: FastifyPluginAsyncTypebox<PaymentsDependencies> = async (
  app,
  deps,
) => {
  const tags = ['payouts'];
  const routesOf = (
    url: string,
    target: (params: Record<string, string>) => PayingAccountTarget,
    params: ReturnType<typeof Type.Object>,
  ) => {
    app.get(
      url,
      {
        schema: {
          tags,
          summary: 'The paying account in use and its changes, newest first (audited)',
          params,
          querystring: PurposeQuery,
          response: { 200: HistorySchema },
        },
      },
      async (request) => {
        // The params schema above is an object of strings; the one helper serves both targets.
        const params = request.params as Record<string, string>;
        const history = await payingAccountReader(deps, contextOf(request), target(params));
        return {
          current: history[0] ? presented(history[0]) : null,
          history: history.map(presented),
        };
      },
    );
    // POST: each save appends a version (the table is insert-only), and no program route is
    // a PUT (program-routes-no-hand-picking.test.ts: nothing edits a program in place).
    app.post(
      url,
      {
        schema: {
          tags,
          summary: 'Set the paying account used by every file made after (a new version, audited)',
          params,
          querystring: PurposeQuery,
          body: PayingAccountBody,
          response: { 200: VersionSchema },
        },
      },
      async (request) => {
        // As above: the validated params are strings.
        const params = request.params as Record<string, string>;
        return presented(
          await payingAccountSetter(deps, contextOf(request), target(params), request.body),
        );
      },
    );
  };
  routesOf(
    '/payments/programs/:programId/paying-account',
    // Lower case: the uuid format takes capitals, the stored key is text (`payingAccountTargetOf`).
    (params) => ({ scope: 'program', key: (params.programId ?? '').toLowerCase() }),
    Type.Object({ programId: Type.String({ format: 'uuid' }) }),
  );
  routesOf(
    '/payments/merchant-settlements/paying-accounts/:currency',
    (params) => ({ scope: 'merchant_settlement', key: params.currency ?? '' }),
    Type.Object({ currency: Type.Union([Type.Literal('VES'), Type.Literal('USD')]) }),
  );
};
