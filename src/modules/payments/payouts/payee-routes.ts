import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PurposeQuery } from '../../../shared/api/params.js';
import { guardStaffCheck, operatorOf } from '../merchants/pin-gate.js';
import { pinGuardOf } from '../merchants/pin-guard-settings.js';
import { auditedRefusals } from '../merchants/refusal-audit.js';
import { PersonParams, secondCheckRoutes } from '../merchants/second-check-routes.js';
import { nowOf } from '../payments-context.js';
import { type PayeeAccountVersion, payeeAccountHistory } from './payee-account.js';
import { payeeAccountSetter } from './payee-account-setter.js';
import type { PayoutDependencies } from './payout-gate.js';
import { PayeeAccountBody, PayeeAccountSchema } from './payout-schema.js';

function presented(version: PayeeAccountVersion, now: Date) {
  return {
    ...version,
    setAt: version.setAt.toISOString(),
    heldUntil: version.heldUntil?.toISOString() ?? null,
    held: version.heldUntil !== null && version.heldUntil.getTime() > now.getTime(),
  };
}

/**
 * Each person's payee account for bank payouts (payouts/README.md, "Payee accounts"): staff start
 * the shared second check (`payee-checks`: a code texted to the phone on file, or the photo on
 * file and another account's approval), then set the account under it; the history (last four
 * digits only) is read with a purpose and audited on the person. Payout batches take their
 * creditors from here.
 */
export const payeeRoutes: FastifyPluginAsyncTypebox<PayoutDependencies> = async (app, deps) => {
  const tags = ['payouts'];
  await app.register(
    secondCheckRoutes(deps, {
      subject: 'payee_account',
      path: 'payee-checks',
      noun: 'payee account',
      startAction: 'payee.set',
      approveAction: 'payee.approve',
      field: 'payee_account',
      tags,
    }),
  );

  app.put(
    '/payments/persons/:personId/payee-account',
    {
      schema: {
        tags,
        summary:
          "Set a person's payee account (bank account or Pago Móvil number, holder's name) under a passed second check; held unless the texted code was used; the person is texted the last four digits (audited on the person)",
        params: PersonParams,
        querystring: PurposeQuery,
        body: PayeeAccountBody,
        response: { 200: PayeeAccountSchema },
      },
    },
    async (request) => {
      const { personId } = request.params;
      const grant = await guardStaffCheck(deps, request, 'payee.set', personId);
      const now = nowOf(deps);
      const { checkId, code, ...input } = request.body;
      await auditedRefusals(
        deps,
        { actor: request.actor, purpose: request.query.purpose ?? null, requestId: request.id },
        {
          action: 'payee.set',
          resource: { type: 'person', id: personId },
          principal: grant.principal,
        },
        () =>
          payeeAccountSetter(deps, {
            personId,
            operatorId: operatorOf(request.actor).operatorId,
            checkId,
            code,
            input,
            now,
            settings: pinGuardOf(deps),
          }),
      );
      await grant.record(['payee_account']);
      const history = await payeeAccountHistory(deps.db, deps.masterKey, personId);
      return { current: history[0] ? presented(history[0], now) : null, history: [] };
    },
  );

  app.get(
    '/payments/persons/:personId/payee-account',
    {
      schema: {
        tags,
        summary:
          "A person's payee account and its history, newest first: holder's name, last four digits, who set it, how, who approved, any hold (audited on the person)",
        params: PersonParams,
        querystring: PurposeQuery,
        response: { 200: PayeeAccountSchema },
      },
    },
    async (request) => {
      const { personId } = request.params;
      const grant = await guardStaffCheck(deps, request, 'payee.read', personId, true);
      const now = nowOf(deps);
      const history = await payeeAccountHistory(deps.db, deps.masterKey, personId);
      await grant.record(history.length === 0 ? [] : ['payee_account']);
      return {
        current: history[0] ? presented(history[0], now) : null,
        history: history.map((version) => presented(version, now)),
      };
    },
  );
};
