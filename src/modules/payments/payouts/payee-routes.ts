import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { limits } from '../../../limits.js';
import { PurposeQuery } from '../../../shared/api/params.js';
import { guardStaffCheck, operatorOf } from '../merchants/pin-gate.js';
import { pinGuardOf } from '../merchants/pin-guard-settings.js';
import { auditedRefusals } from '../merchants/refusal-audit.js';
import { PersonParams, secondCheckRoutes } from '../merchants/second-check-routes.js';
import { nowOf } from '../payments-context.js';
import { type PayeeAccountVersion, payeeAccountHistory } from './payee-account.js';
import { payeeAccountSetter } from './payee-account-setter.js';
import { payeeChangeStopper } from './payee-account-stop.js';
import type { PayoutDependencies } from './payout-gate.js';
import { PayeeAccountBody, PayeeAccountSchema, PayeeStopBody } from './payout-schema.js';

function presented(version: PayeeAccountVersion, now: Date) {
  return {
    ...version,
    setAt: version.setAt.toISOString(),
    heldUntil: version.heldUntil?.toISOString() ?? null,
    held:
      version.stoppedAt === null &&
      version.heldUntil !== null &&
      version.heldUntil.getTime() > now.getTime(),
    stoppedAt: version.stoppedAt?.toISOString() ?? null,
  };
}

/** The account in use: the newest change the person did not stop. */
function inUse(history: PayeeAccountVersion[], now: Date) {
  const current = history.find((version) => version.stoppedAt === null);
  return current === undefined ? null : presented(current, now);
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
      return { current: inUse(history, now), history: [] };
    },
  );

  app.post(
    '/payments/payee-account-stops',
    {
      schema: {
        tags,
        summary:
          'The person stops a held change of their payee account with their ID number and the stop code texted to them (no session; rate-limited; audited on the person, under the staff account when office staff send it)',
        body: PayeeStopBody,
        response: { 200: Type.Object({ stopped: Type.Boolean() }) },
      },
      config: {
        rateLimit: { max: limits.payouts.payeeStopRequestsPerMinuteMax, timeWindow: 60_000 },
      },
    },
    async (request) =>
      payeeChangeStopper(deps, {
        uin: request.body.uin,
        code: request.body.code,
        now: nowOf(deps),
        requestId: request.id,
        actor: request.actor,
      }),
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
        current: inUse(history, now),
        history: history.map((version) => presented(version, now)),
      };
    },
  );
};
