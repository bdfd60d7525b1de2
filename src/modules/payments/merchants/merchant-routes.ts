import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AmparoError } from '../../../platform/errors.js';
import type { Actor, OperatorActor } from '../../../shared/access/actor.js';
import { PurposeQuery } from '../../../shared/api/params.js';
import { onlineCardCheck } from '../../credentials/index.js';
import { lookupAccounts, postedBalance } from '../../ledger/index.js';
import { programChoices } from '../../programs/index.js';
import { amountFrom } from '../money-input.js';
import { contextOf, nowOf, type PaymentsDependencies } from '../payments-context.js';
import { PaymentsError } from '../payments-error.js';
import { guardLedgerAction } from '../payments-guard.js';
import { counterAssistedRoutes } from './counter-assisted-routes.js';
import { merchantApprover } from './merchant-approver.js';
import { keysOf } from './merchant-keys.js';
import { merchantPayer } from './merchant-payer.js';
import { merchantRefunder } from './merchant-refunder.js';
import {
  guardMerchantOfRequest,
  merchantLister,
  merchantRegistrar,
  merchantsOfStaff,
} from './merchant-registry.js';
import {
  MerchantChoicesSchema,
  MerchantSchema,
  Pin,
  ReceiptSchema,
  ReceiptsSchema,
  RefundBody,
  RegistrationBody,
  RequestBody,
  RequestSchema,
  receiptAnswer,
  Token,
  Uuid,
} from './merchant-schemas.js';
import { payerRoutes } from './payer-routes.js';
import { receiptOf, receiptsOf } from './payment-receipts.js';
import { paymentRequestMaker } from './payment-request-maker.js';
import { pinHandling } from './pin-hash-options.js';
import { pinStaffRoutes } from './pin-staff-routes.js';
import { auditedRefusals } from './refusal-audit.js';
import { settlementRoutes } from './settlement-routes.js';

function operatorOf(actor: Actor | null): OperatorActor {
  // Safe: every route below is gated first, and only operators hold merchant actions.
  return actor as OperatorActor;
}

const MerchantParams = Type.Object({ merchantId: Uuid });
const MerchantListQuery = Type.Object(
  {
    purpose: PurposeQuery.properties.purpose,
    stateCode: Type.Optional(Type.String({ pattern: '^VE-[A-Z]$' })),
    after: Type.Optional(Uuid),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'default 50' })),
  },
  { additionalProperties: false },
);
const PaymentParams = Type.Object({ merchantId: Uuid, requestId: Uuid });

/**
 * Merchant payments (issue #16, point 5; docs/ACCESS.md): registering a merchant, its payment
 * requests, payments at the counter, incoming payments, receipts and refunds. The payer's side
 * is in `payer-routes.ts`, the daily settlement in `settlement-routes.ts`.
 */
export const merchantRoutes: FastifyPluginAsyncTypebox<PaymentsDependencies> = async (
  app,
  deps,
) => {
  const tags = ['merchants'];
  await app.register(payerRoutes, deps);
  await app.register(pinStaffRoutes, deps);
  await app.register(settlementRoutes, deps);
  await app.register(counterAssistedRoutes, deps);

  app.post(
    '/payments/merchants',
    {
      schema: {
        tags,
        summary: 'Register a merchant, its staff and its subsidised prices (audited)',
        querystring: PurposeQuery,
        body: RegistrationBody,
        response: { 201: MerchantSchema },
      },
    },
    async (request, reply) => {
      const grant = await guardLedgerAction(deps, contextOf(request), 'merchant.manage', {
        type: 'merchant',
        id: request.body.merchantId,
      });
      const merchant = await auditedRefusals(
        deps,
        contextOf(request),
        {
          action: 'merchant.manage',
          resource: { type: 'merchant', id: request.body.merchantId },
          principal: grant.principal,
        },
        () =>
          merchantRegistrar(deps.db, keysOf(deps).masterKey, {
            ...request.body,
            registeredBy: operatorOf(request.actor).operatorId,
          }),
      );
      await grant.record(['merchant_settlement_account']);
      return reply.code(201).send(merchant);
    },
  );

  app.get(
    '/payments/merchants',
    {
      schema: {
        tags,
        summary: 'Merchants, by name, paged: those of your regions, or your own (audited)',
        querystring: MerchantListQuery,
        response: {
          200: Type.Object({
            merchants: Type.Array(MerchantSchema),
            next: Type.Union([Uuid, Type.Null()]),
          }),
        },
      },
    },
    async (request) =>
      merchantLister(deps, contextOf(request), {
        ...request.query,
        limit: request.query.limit ?? 50,
      }),
  );

  app.get(
    '/payments/merchant-choices',
    {
      schema: {
        tags,
        summary:
          "What a merchant's registration chooses from: the programs that may subsidise its prices, by name (audited)",
        querystring: PurposeQuery,
        response: { 200: MerchantChoicesSchema },
      },
    },
    async (request) => {
      const grant = await guardLedgerAction(deps, contextOf(request), 'merchant.manage', {
        type: 'merchant',
        id: null,
      });
      const programs = await programChoices(deps.db);
      await grant.record([]);
      return { programs };
    },
  );

  app.get(
    '/payments/merchants/mine',
    {
      schema: {
        tags,
        summary: 'The merchants you act for (merchant staff)',
        response: { 200: Type.Object({ merchants: Type.Array(MerchantSchema) }) },
      },
    },
    async (request) => {
      const actor = request.actor;
      if (actor === null) throw new AmparoError('AMP_UNAUTHENTICATED');
      if (actor.kind !== 'operator') return { merchants: [] };
      return { merchants: await merchantsOfStaff(deps.db, actor.operatorId) };
    },
  );

  app.get(
    '/payments/merchants/:merchantId',
    {
      schema: {
        tags,
        summary: "A merchant and its account's balance (audited)",
        params: MerchantParams,
        querystring: PurposeQuery,
        response: { 200: MerchantSchema },
      },
    },
    async (request) => {
      const grant = await guardMerchantOfRequest(deps, request, 'merchant.read');
      const [account] = await lookupAccounts(deps.db, [grant.merchant.accountId]);
      await grant.record([]);
      return {
        ...grant.merchant,
        balanceMinor: (account === undefined ? 0n : postedBalance(account)).toString(),
      };
    },
  );

  app.post(
    '/payments/merchants/:merchantId/approval',
    {
      schema: {
        tags,
        summary:
          "A second finance officer (not the registrar) approves a merchant's registration; until then it is paid nothing (audited)",
        params: MerchantParams,
        querystring: PurposeQuery,
        response: { 200: MerchantSchema },
      },
    },
    async (request) => merchantApprover(deps, contextOf(request), request.params.merchantId),
  );

  app.post(
    '/payments/merchants/:merchantId/requests',
    {
      schema: {
        tags,
        summary: 'Make a signed payment request (its QR) for an amount (audited)',
        params: MerchantParams,
        querystring: PurposeQuery,
        body: RequestBody,
        response: { 201: RequestSchema },
      },
    },
    async (request, reply) => {
      const context = contextOf(request);
      const grant = await guardMerchantOfRequest(deps, request, 'merchant.request');
      const made = await auditedRefusals(
        deps,
        context,
        {
          action: 'merchant.request',
          resource: { type: 'merchant', id: grant.merchant.merchantId },
          principal: grant.principal,
        },
        () =>
          paymentRequestMaker(deps.db, keysOf(deps).masterKey, {
            merchant: grant.merchant,
            amountMinor: request.body.amountMinor,
            reference: request.body.reference,
            programId: request.body.programId ?? null,
            expiresInSeconds: request.body.expiresInSeconds,
            createdBy: operatorOf(request.actor).operatorId,
            now: nowOf(deps),
          }),
      );
      await grant.record([]);
      return reply.code(201).send({
        ...made,
        amountMinor: made.amountMinor.toString(),
        expiresAt: made.expiresAt.toISOString(),
      });
    },
  );

  app.post(
    '/payments/merchants/:merchantId/counter-payments',
    {
      schema: {
        tags,
        summary:
          "Take a payment at the counter: the payer's card QR and PIN (audited on the person)",
        params: MerchantParams,
        querystring: PurposeQuery,
        body: Type.Object(
          { token: Token, cardQr: Type.String({ minLength: 1, maxLength: 4000 }), pin: Pin },
          { additionalProperties: false },
        ),
        response: { 201: ReceiptSchema },
      },
    },
    async (request, reply) => {
      const context = contextOf(request);
      const { merchantId } = request.params;
      const grant = await guardMerchantOfRequest(deps, request, 'merchant.counter_pay');
      const now = nowOf(deps);
      const receipt = await auditedRefusals(
        deps,
        context,
        {
          action: 'merchant.counter_pay',
          resource: { type: 'merchant', id: merchantId },
          principal: grant.principal,
        },
        async () => {
          const card = await onlineCardCheck(
            { db: deps.db, keys: keysOf(deps) },
            request.body.cardQr,
            now,
          );
          if (card.holder === undefined) {
            throw new PaymentsError(
              'AMP_PAYMENT_CARD_REFUSED',
              `The card is not valid: ${card.status}`,
            );
          }
          const payerPersonId = card.holder.personId;
          // A refusal once the card named its holder (a wrong PIN, a lock, a hold, too little
          // money) is in the person's access history too, not only the merchant's: a counter that
          // tries PINs on someone's card is seen by them (safeguard 4).
          const paid = await auditedRefusals(
            deps,
            context,
            {
              action: 'merchant.counter_pay',
              resource: { type: 'person', id: payerPersonId },
              principal: grant.principal,
            },
            () =>
              merchantPayer(deps.db, keysOf(deps).masterKey, {
                token: request.body.token,
                pin: request.body.pin,
                payerPersonId,
                channel: 'counter',
                merchantId,
                now,
                ...pinHandling(deps),
              }),
          );
          // The person sees, in their access history, that a merchant took a payment from them.
          await deps.audit.append({
            actor: {
              kind: 'operator',
              id: operatorOf(request.actor).operatorId,
              role: grant.principal,
              region: null,
            },
            action: 'merchant.counter_pay',
            resource: { type: 'person', id: payerPersonId },
            purpose: context.purpose,
            fields: ['wallet_balance'],
            outcome: 'allowed',
            reasonCode: null,
            requestId: context.requestId,
          });
          return paid;
        },
      );
      await grant.record([]);
      return reply.code(201).send(receiptAnswer(receipt));
    },
  );

  app.get(
    '/payments/merchants/:merchantId/payments',
    {
      schema: {
        tags,
        summary: "A merchant's incoming payments, newest first (audited; never the payer)",
        params: MerchantParams,
        querystring: PurposeQuery,
        response: { 200: ReceiptsSchema },
      },
    },
    async (request) => {
      const grant = await guardMerchantOfRequest(deps, request, 'merchant.read');
      const payments = await receiptsOf(deps.db, { merchantId: request.params.merchantId });
      await grant.record([]);
      return { payments: payments.map(receiptAnswer) };
    },
  );

  app.get(
    '/payments/merchants/:merchantId/payments/:requestId',
    {
      schema: {
        tags,
        summary: "The merchant's receipt of one payment (audited)",
        params: PaymentParams,
        querystring: PurposeQuery,
        response: { 200: ReceiptSchema },
      },
    },
    async (request) => {
      const grant = await guardMerchantOfRequest(deps, request, 'merchant.read');
      const receipt = await receiptOf(deps.db, request.params.requestId);
      if (receipt === undefined || receipt.merchantId !== request.params.merchantId) {
        throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such payment' });
      }
      await grant.record([]);
      return receiptAnswer(receipt);
    },
  );

  app.post(
    '/payments/merchants/:merchantId/payments/:requestId/refund',
    {
      schema: {
        tags,
        summary:
          'Refund a payment in full or in part, by new transfers; several times, never beyond what was paid (audited)',
        params: PaymentParams,
        querystring: PurposeQuery,
        body: RefundBody,
        response: { 201: ReceiptSchema },
      },
    },
    async (request, reply) => {
      const context = contextOf(request);
      const { merchantId, requestId } = request.params;
      const grant = await guardMerchantOfRequest(deps, request, 'merchant.refund');
      const receipt = await auditedRefusals(
        deps,
        context,
        {
          action: 'merchant.refund',
          resource: { type: 'payment_request', id: requestId },
          principal: grant.principal,
        },
        () =>
          merchantRefunder(deps.db, {
            requestId,
            merchantId,
            refundId: request.body.refundId,
            amountMinor:
              request.body.amountMinor === undefined
                ? undefined
                : amountFrom(request.body.amountMinor),
            currency: request.body.currency,
            operatorId: operatorOf(request.actor).operatorId,
            now: nowOf(deps),
          }),
      );
      await grant.record([]);
      return reply.code(201).send(receiptAnswer(receipt));
    },
  );
};
