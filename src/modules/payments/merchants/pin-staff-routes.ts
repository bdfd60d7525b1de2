import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PurposeQuery } from '../../../shared/api/params.js';
import { nowOf, type PaymentsDependencies } from '../payments-context.js';
import { keysOf } from './merchant-keys.js';
import { Pin, PinState, Uuid } from './merchant-schemas.js';
import { pinSetter, pinState } from './payment-pin.js';
import { pinStep } from './pin-gate.js';
import { pinGuardOf } from './pin-guard-settings.js';
import { passwordHashOptionsOf, pinHoldRules, pinSetNotices } from './pin-hash-options.js';
import { pinCheckSpender, useCheck } from './pin-second-check.js';
import { PersonParams, secondCheckRoutes } from './second-check-routes.js';

/**
 * Staff setting a person's payment PIN at the counter (docs/PAYMENTS-PIN.md): start a second
 * check (a code texted to the phone on file, or the photo checked for a second operator's
 * approval), approve another clerk's two-person check, set the PIN under a passed check. Each
 * is audited on the person; each refusal after the gate too.
 */
export const pinStaffRoutes: FastifyPluginAsyncTypebox<PaymentsDependencies> = async (
  app,
  deps,
) => {
  const tags = ['merchants'];

  await app.register(
    secondCheckRoutes(deps, {
      subject: 'payment_pin',
      path: 'pin-checks',
      noun: 'PIN',
      startAction: 'payment.pin_reset',
      approveAction: 'payment.pin_approve',
      field: 'payment_pin',
      tags,
    }),
  );

  app.put(
    '/payments/persons/:personId/pin',
    {
      schema: {
        tags,
        summary:
          "Set a person's payment PIN at the counter under a passed second check, the person typing it; unlocks a locked PIN; held unless the texted code was used to a phone on file for longer than the phone-change window (audited on the person)",
        params: PersonParams,
        querystring: PurposeQuery,
        body: Type.Object(
          {
            pin: Pin,
            checkId: Uuid,
            code: Type.Optional(Type.String({ pattern: '^[0-9]{6}$' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: PinState },
      },
    },
    async (request) => {
      const { personId } = request.params;
      const now = nowOf(deps);
      const settings = pinGuardOf(deps);
      const masterKey = keysOf(deps).masterKey;
      await pinStep(
        deps,
        request,
        'payment.pin_reset',
        personId,
        (operatorId) =>
          pinCheckSpender(
            deps.db,
            {
              checkId: request.body.checkId,
              personId,
              operatorId,
              code: request.body.code,
              masterKey,
              now,
              settings,
            },
            (passed) =>
              pinSetter(deps.db, {
                personId,
                pin: request.body.pin,
                hashOptions: passwordHashOptionsOf(deps),
                masterKey,
                now,
                ...pinHoldRules(deps),
                setter: {
                  method: passed.method === 'phone_code' ? 'staff_phone_code' : 'staff_two_person',
                  operatorId,
                  approvedBy: passed.approvedBy,
                },
                alongside: async (trx, set) => {
                  await useCheck(trx, request.body.checkId, now);
                  await pinSetNotices(deps, trx, personId, now, set);
                },
              }),
          ),
        { fields: () => ['payment_pin'] },
      );
      return pinState(deps.db, personId, now);
    },
  );
};
