import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AssistedMethodSchema, AssistedReasonSchema } from '../../../shared/api/distribution.js';
import {
  CounterAssistedListSchema,
  CounterAssistedStartSchema,
} from '../../../shared/api/merchants.js';
import { PurposeQuery } from '../../../shared/api/params.js';
import { localDate } from '../../notifications/index.js';
import { contextOf, nowOf, type PaymentsDependencies } from '../payments-context.js';
import { counterAssistedPerDayMaxOf, counterAssistedStarter } from './counter-assisted.js';
import { counterAssistedPayer } from './counter-assisted-check.js';
import { counterAssistedLister } from './counter-assisted-list.js';
import { guardMerchantOfRequest } from './merchant-registry.js';
import { Pin, ReceiptSchema, receiptAnswer, Token, Uuid } from './merchant-schemas.js';
import { auditedRefusals } from './refusal-audit.js';

const MerchantParams = Type.Object({ merchantId: Uuid });
const TryParams = Type.Object({ merchantId: Uuid, assistedId: Uuid });
const StartBody = Type.Object(
  {
    token: Token,
    uin: Type.String({ pattern: '^[0-9]{10}$', description: "The payer's ID number" }),
    pin: Pin,
    reason: AssistedReasonSchema,
    method: AssistedMethodSchema,
  },
  { additionalProperties: false },
);
const PayBody = Type.Object(
  {
    token: Token,
    code: Type.Optional(Type.String({ pattern: '^[0-9]{6}$' })),
    attestation: Type.Optional(Type.Literal(true)),
    householdQrText: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })),
  },
  { additionalProperties: false },
);
const ListQuery = Type.Object(
  {
    purpose: PurposeQuery.properties.purpose,
    day: Type.Optional(
      Type.String({ format: 'date', description: 'Local day (America/Caracas); today by default' }),
    ),
  },
  { additionalProperties: false },
);

/**
 * Paying at the counter without the card (issue #16, point 5; safeguard 9; merchants/README.md):
 * start by ID number and PIN, then the second check and the payment; and the supervisor's list.
 */
export const counterAssistedRoutes: FastifyPluginAsyncTypebox<PaymentsDependencies> = async (
  app,
  deps,
) => {
  const tags = ['merchants'];
  const path = '/payments/merchants/:merchantId/assisted-payments';
  type Grant = Awaited<ReturnType<typeof guardMerchantOfRequest>>;

  /** The merchant's staff pays without the card: gate, refusals audited on the merchant, grant. */
  async function asCounter<T>(
    request: Parameters<typeof guardMerchantOfRequest>[1],
    work: (context: ReturnType<typeof contextOf>, grant: Grant) => Promise<T>,
  ): Promise<T> {
    const context = contextOf(request);
    const grant = await guardMerchantOfRequest(deps, request, 'merchant.counter_assisted_pay');
    const done = await auditedRefusals(
      deps,
      context,
      {
        action: 'merchant.counter_assisted_pay',
        resource: { type: 'merchant', id: grant.merchant.merchantId },
        principal: grant.principal,
      },
      () => work(context, grant),
    );
    await grant.record([]);
    return done;
  }

  app.post(
    path,
    {
      schema: {
        tags,
        summary:
          'Start a payment without the card: ID number, PIN, reason and second check (audited on the person)',
        params: MerchantParams,
        querystring: PurposeQuery,
        body: StartBody,
        response: { 201: CounterAssistedStartSchema },
      },
    },
    async (request, reply) => {
      const started = await asCounter(request, (context, grant) =>
        counterAssistedStarter(deps, context, grant, request.body),
      );
      return reply.code(201).send(started);
    },
  );

  app.post(
    `${path}/:assistedId/pay`,
    {
      schema: {
        tags,
        summary:
          'Pass the second check of a payment without the card and pay (audited on the person)',
        params: TryParams,
        querystring: PurposeQuery,
        body: PayBody,
        response: { 201: ReceiptSchema },
      },
    },
    async (request, reply) => {
      const receipt = await asCounter(request, (context, grant) =>
        counterAssistedPayer(deps, context, grant, request.params.assistedId, request.body),
      );
      return reply.code(201).send(receiptAnswer(receipt));
    },
  );

  app.get(
    path,
    {
      schema: {
        tags,
        summary:
          "A merchant's tries at paying without the card on a local day, for the supervisor (audited; never the person)",
        params: MerchantParams,
        querystring: ListQuery,
        response: { 200: CounterAssistedListSchema },
      },
    },
    async (request) => {
      const grant = await guardMerchantOfRequest(deps, request, 'merchant.counter_assisted_review');
      const listed = await counterAssistedLister(deps.db, {
        merchantId: grant.merchant.merchantId,
        day: request.query.day ?? localDate(nowOf(deps)),
        triesMax: counterAssistedPerDayMaxOf(deps),
      });
      await grant.record([]);
      return listed;
    },
  );
};
