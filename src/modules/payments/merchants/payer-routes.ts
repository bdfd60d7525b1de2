import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AmparoError } from '../../../platform/errors.js';
import type { CitizenActor } from '../../../shared/access/actor.js';
import type { Action } from '../../../shared/access/policy.js';
import { guardPersonAccess, sessionOpening } from '../../access/index.js';
import { nowOf, type PaymentsContext, type PaymentsDependencies } from '../payments-context.js';
import { PaymentsError } from '../payments-error.js';
import { keysOf } from './merchant-keys.js';
import { merchantPayer } from './merchant-payer.js';
import {
  Pin,
  PinState,
  ReceiptSchema,
  ReceiptsSchema,
  receiptAnswer,
  Token,
  Uuid,
} from './merchant-schemas.js';
import { pinChecker, pinSetter, pinState } from './payment-pin.js';
import { payerOf, receiptOf, receiptsOf } from './payment-receipts.js';
import {
  passwordHashOptionsOf,
  pinHandling,
  pinHoldRules,
  pinSetNotices,
} from './pin-hash-options.js';
import { auditedRefusals } from './refusal-audit.js';

/** The citizen's own session, or 401/403: the payment app is the person's own. */
function citizenOf(actor: unknown): CitizenActor {
  if (actor === null) throw new AmparoError('AMP_UNAUTHENTICATED');
  const candidate = actor as { kind?: string };
  if (candidate.kind !== 'citizen') {
    throw new AmparoError('AMP_FORBIDDEN', {
      detail: 'Only a person signed in as themself pays from their wallet here',
    });
  }
  // Safe: checked just above.
  return actor as CitizenActor;
}

async function guardSelf(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  action: Action,
  personId: string,
) {
  return guardPersonAccess(deps, {
    actor: context.actor,
    action,
    resource: { type: 'person', id: personId },
    regionCode: null,
    personId,
    exists: true,
    purpose: 'self',
    requestId: context.requestId,
    countsAsPersonRead: false,
  });
}

/**
 * The payer's side of merchant payments (the payment app, a citizen session): pay a request
 * with the PIN, list payments and open a receipt, set the PIN. Staff set a person's PIN (and so
 * unlock a locked one) under a second check: `pin-staff-routes.ts`.
 */
export const payerRoutes: FastifyPluginAsyncTypebox<PaymentsDependencies> = async (app, deps) => {
  const tags = ['merchants'];
  const selfContext = (request: {
    actor: PaymentsContext['actor'];
    id: string;
  }): PaymentsContext => ({
    actor: request.actor,
    purpose: 'self',
    requestId: request.id,
  });

  app.post(
    '/payments/me/payments',
    {
      schema: {
        tags,
        summary: "Pay a merchant's request from your wallet, with your PIN (audited)",
        body: Type.Object({ token: Token, pin: Pin }, { additionalProperties: false }),
        response: { 201: ReceiptSchema },
      },
    },
    async (request, reply) => {
      const citizen = citizenOf(request.actor);
      const context = selfContext(request);
      const grant = await guardSelf(deps, context, 'payment.pay', citizen.personId);
      const receipt = await auditedRefusals(
        deps,
        context,
        {
          action: 'payment.pay',
          resource: { type: 'person', id: citizen.personId },
          principal: grant.principal,
        },
        () =>
          merchantPayer(deps.db, keysOf(deps).masterKey, {
            token: request.body.token,
            pin: request.body.pin,
            payerPersonId: citizen.personId,
            channel: 'wallet',
            now: nowOf(deps),
            ...pinHandling(deps),
          }),
      );
      await grant.record(['wallet_balance']);
      return reply.code(201).send(receiptAnswer(receipt));
    },
  );

  app.get(
    '/payments/me/payments',
    {
      schema: {
        tags,
        summary: 'Your payments to merchants, newest first',
        response: { 200: ReceiptsSchema },
      },
    },
    async (request) => {
      const citizen = citizenOf(request.actor);
      const grant = await guardSelf(deps, selfContext(request), 'payment.pay', citizen.personId);
      const payments = await receiptsOf(deps.db, { payerPersonId: citizen.personId });
      await grant.record(['wallet_history']);
      return { payments: payments.map(receiptAnswer) };
    },
  );

  app.get(
    '/payments/me/payments/:requestId',
    {
      schema: {
        tags,
        summary: 'Your receipt of one payment',
        params: Type.Object({ requestId: Uuid }),
        response: { 200: ReceiptSchema },
      },
    },
    async (request) => {
      const citizen = citizenOf(request.actor);
      const grant = await guardSelf(deps, selfContext(request), 'payment.pay', citizen.personId);
      const payer = await payerOf(deps.db, request.params.requestId);
      const receipt =
        payer?.personId === citizen.personId
          ? await receiptOf(deps.db, request.params.requestId)
          : undefined;
      if (receipt === undefined)
        throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such payment' });
      await grant.record(['wallet_history']);
      return receiptAnswer(receipt);
    },
  );

  app.get(
    '/payments/me/pin',
    {
      schema: {
        tags,
        summary: 'Whether your payment PIN is set, locked or held (until when, and why)',
        response: { 200: PinState },
      },
    },
    async (request) => {
      const citizen = citizenOf(request.actor);
      return pinState(deps.db, citizen.personId, nowOf(deps));
    },
  );

  app.put(
    '/payments/me/pin',
    {
      schema: {
        tags,
        summary:
          'Set your payment PIN (the current one too, once one is set); a first PIN, or one set soon after a change of the phone on file, is held for a day (audited)',
        body: Type.Object(
          { pin: Pin, currentPin: Type.Optional(Pin) },
          { additionalProperties: false },
        ),
        response: { 200: PinState },
      },
    },
    async (request) => {
      const citizen = citizenOf(request.actor);
      const context = selfContext(request);
      const grant = await guardSelf(deps, context, 'payment.pin_set', citizen.personId);
      const now = nowOf(deps);
      await auditedRefusals(
        deps,
        context,
        {
          action: 'payment.pin_set',
          resource: { type: 'person', id: citizen.personId },
          principal: grant.principal,
        },
        async () => {
          // A session opened with a code a clerk printed sets no PIN: the clerk could have
          // opened it (docs/PAYMENTS-PIN.md). The PIN is then set at the counter, under a check.
          const opened = await sessionOpening(deps.db, citizen.sessionId);
          if (opened?.channel === 'slip') {
            throw new PaymentsError(
              'AMP_PIN_CHECK_REQUIRED',
              'A session opened with a printed code cannot set the PIN: sign in with the code texted to your phone, or set it at an enrolment office',
            );
          }
          const state = await pinState(deps.db, citizen.personId, now);
          if (state.set) {
            if (request.body.currentPin === undefined) {
              throw new PaymentsError('AMP_PIN_WRONG', 'Give your current PIN to change it', [
                { field: '/currentPin', reason: 'required once a PIN is set' },
              ]);
            }
            await pinChecker(deps.db, {
              personId: citizen.personId,
              pin: request.body.currentPin,
              masterKey: keysOf(deps).masterKey,
              hashOptions: passwordHashOptionsOf(deps),
              now,
              toPay: false,
              ...(deps.notifier === undefined ? {} : { notifier: deps.notifier }),
            });
          }
          // Held when it is the first PIN or the phone on file changed lately (pinHoldOf): a
          // texted code proves only that someone reads the phone on file now.
          await pinSetter(deps.db, {
            personId: citizen.personId,
            pin: request.body.pin,
            hashOptions: passwordHashOptionsOf(deps),
            masterKey: keysOf(deps).masterKey,
            now,
            setter: { method: 'self' },
            ...pinHoldRules(deps),
            alongside: (trx, set) => pinSetNotices(deps, trx, citizen.personId, now, set),
          });
        },
      );
      await grant.record(['payment_pin']);
      return pinState(deps.db, citizen.personId, now);
    },
  );
};
