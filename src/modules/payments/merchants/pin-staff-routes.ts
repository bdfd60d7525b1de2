import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PinCheckSchema, PinChecksSchema } from '../../../shared/api/merchants.js';
import { PurposeQuery } from '../../../shared/api/params.js';
import { nowOf, type PaymentsDependencies } from '../payments-context.js';
import { keysOf } from './merchant-keys.js';
import { Pin, PinState, Uuid } from './merchant-schemas.js';
import { pinSetter, pinState } from './payment-pin.js';
import { pinApproverRoutes } from './pin-approver-routes.js';
import { CheckParams, guardPin, operatorOf, pinStep } from './pin-gate.js';
import { pinGuardOf } from './pin-guard-settings.js';
import { passwordHashOptionsOf, pinChangedNotice } from './pin-hash-options.js';
import {
  pinCheckApprover,
  pinCheckSpender,
  pinCheckStarter,
  useCheck,
  waitingPinChecks,
} from './pin-second-check.js';

const PersonParams = Type.Object({ personId: Uuid });
const waitingListMax = 50;

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
  await app.register(pinApproverRoutes, deps);

  app.post(
    '/payments/persons/:personId/pin-checks',
    {
      schema: {
        tags,
        summary:
          "Start the second check before setting a person's PIN: text a code to the phone on file, or (no phone) the photo checked, for a second operator to approve (audited on the person)",
        params: PersonParams,
        querystring: PurposeQuery,
        body: Type.Object(
          {
            method: Type.Union([Type.Literal('phone_code'), Type.Literal('two_person')]),
            photoChecked: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 201: PinCheckSchema },
      },
    },
    async (request, reply) => {
      const { personId } = request.params;
      const now = nowOf(deps);
      const started = await pinStep(
        deps,
        request,
        'payment.pin_reset',
        personId,
        async (operatorId) => ({
          operatorId,
          ...(await pinCheckStarter(deps.db, {
            personId,
            operatorId,
            method: request.body.method,
            photoChecked: request.body.photoChecked === true,
            masterKey: keysOf(deps).masterKey,
            notifier: deps.notifier,
            now,
            settings: pinGuardOf(deps),
          })),
        }),
        { fields: () => ['payment_pin'] },
      );
      return reply.code(201).send({
        checkId: started.checkId,
        personId,
        method: request.body.method,
        approved: false,
        startedBy: started.operatorId,
        createdAt: now.toISOString(),
        expiresAt: started.expiresAt.toISOString(),
      });
    },
  );

  app.get(
    '/payments/pin-checks',
    {
      schema: {
        tags,
        summary:
          'Two-person PIN checks of persons in your regions waiting for a second operator (not yours)',
        querystring: PurposeQuery,
        response: { 200: PinChecksSchema },
      },
    },
    async (request) => {
      const actor = operatorOf(request.actor);
      const rows = await waitingPinChecks(deps.db, nowOf(deps), waitingListMax);
      const checks = [];
      for (const row of rows) {
        if (request.actor?.kind === 'operator' && row.operator_id === actor.operatorId) continue;
        // Each is gated (and audited) as the approval would be: only persons of your regions.
        const grant = await guardPin(deps, request, 'payment.pin_approve', row.person_id).catch(
          () => null,
        );
        if (grant === null) continue;
        await grant.record([]);
        checks.push({
          checkId: row.id,
          personId: row.person_id,
          method: 'two_person' as const,
          approved: false,
          startedBy: row.operator_id,
          createdAt: row.created_at.toISOString(),
          expiresAt: row.expires_at.toISOString(),
        });
      }
      return { checks };
    },
  );

  app.post(
    '/payments/persons/:personId/pin-checks/:checkId/approval',
    {
      schema: {
        tags,
        summary:
          "Approve another operator's two-person PIN check, having compared the person with the photo on file (audited on the person)",
        params: CheckParams,
        querystring: PurposeQuery,
        body: Type.Object({ photoChecked: Type.Literal(true) }, { additionalProperties: false }),
        response: { 200: Type.Object({ checkId: Uuid, approved: Type.Boolean() }) },
      },
    },
    async (request) => {
      const { personId, checkId } = request.params;
      await pinStep(
        deps,
        request,
        'payment.pin_approve',
        personId,
        (operatorId) =>
          pinCheckApprover(deps.db, { checkId, personId, operatorId, now: nowOf(deps) }),
        { fields: () => ['payment_pin'] },
      );
      return { checkId, approved: true };
    },
  );

  app.put(
    '/payments/persons/:personId/pin',
    {
      schema: {
        tags,
        summary:
          "Set a person's payment PIN at the counter under a passed second check, the person typing it; unlocks a locked PIN; held unless the texted code was used (audited on the person)",
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
                holdMs: settings.staffHoldMs,
                setter: {
                  method: passed.method === 'phone_code' ? 'staff_phone_code' : 'staff_two_person',
                  operatorId,
                  approvedBy: passed.approvedBy,
                },
                alongside: async (trx) => {
                  await useCheck(trx, request.body.checkId, now);
                  await pinChangedNotice(deps, trx, personId, now);
                },
              }),
          ),
        { fields: () => ['payment_pin'] },
      );
      return pinState(deps.db, personId);
    },
  );
};
