import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Actor } from '../../../shared/access/actor.js';
import { PurposeQuery } from '../../../shared/api/params.js';
import { amountFrom } from '../money-input.js';
import { contextOf, type PaymentsDependencies } from '../payments-context.js';
import {
  type AdjustmentView,
  adjustmentDecider,
  adjustmentLister,
  adjustmentProposer,
  frozenBalanceProposer,
} from './adjustments.js';
import { type FrozenBalance, frozenBalanceLister } from './frozen-wallets.js';

const Uuid = Type.String({ format: 'uuid' });
const Currency = Type.Union([Type.Literal('VES'), Type.Literal('USD')]);
const Note = Type.String({ minLength: 1, maxLength: 500 });
const Status = Type.Union([
  Type.Literal('proposed'),
  Type.Literal('approved'),
  Type.Literal('rejected'),
  Type.Literal('applied'),
  Type.Literal('failed'),
]);
const AdjustmentSchema = Type.Object({
  id: Uuid,
  kind: Type.Union([Type.Literal('manual'), Type.Literal('frozen_balance')]),
  debitAccountId: Uuid,
  creditAccountId: Uuid,
  currency: Currency,
  amountMinor: Type.String(),
  reasonCode: Type.String(),
  note: Type.String(),
  status: Status,
  proposedBy: Uuid,
  proposedAt: Type.String(),
  decidedBy: Type.Union([Uuid, Type.Null()]),
  decidedAt: Type.Union([Type.String(), Type.Null()]),
  transferId: Type.Union([Uuid, Type.Null()]),
  failure: Type.Union([Type.String(), Type.Null()]),
  /** True when the signed-in operator proposed it (so the console offers no decision). */
  mine: Type.Boolean(),
});
const FrozenSchema = Type.Object({
  personId: Uuid,
  reason: Type.String(),
  frozenAt: Type.String(),
  currency: Currency,
  accountId: Uuid,
  balanceMinor: Type.String(),
  destination: Type.Union([Type.Literal('survivor'), Type.Literal('estate')]),
  pendingAdjustmentId: Type.Union([Uuid, Type.Null()]),
});

const presented = (view: AdjustmentView, actor: Actor | null) => ({
  ...view,
  amountMinor: view.amountMinor.toString(),
  mine: actor?.kind === 'operator' && actor.operatorId === view.proposedBy,
});
const presentedFrozen = (item: FrozenBalance) => ({
  ...item,
  balanceMinor: item.balanceMinor.toString(),
});

/**
 * Money controls (issue #16, point 7): two-person adjustments and the documented move of a
 * frozen wallet's balance. docs/ACCESS.md (`payment.adjust`, `payment.ledger_read`).
 */
export const controlsRoutes: FastifyPluginAsyncTypebox<PaymentsDependencies> = async (
  app,
  deps,
) => {
  const tags = ['payments'];
  app.post(
    '/payments/adjustments',
    {
      schema: {
        tags,
        summary:
          'Propose moving money between two ledger accounts; another finance officer decides (audited)',
        querystring: PurposeQuery,
        body: Type.Object(
          {
            debitAccountId: Uuid,
            creditAccountId: Uuid,
            currency: Currency,
            amountMinor: Type.String({ pattern: '^[0-9]{1,40}$' }),
            reasonCode: Type.Union([
              Type.Literal('correction'),
              Type.Literal('reversal'),
              Type.Literal('suspense_resolution'),
              Type.Literal('other'),
            ]),
            note: Note,
          },
          { additionalProperties: false },
        ),
        response: { 201: AdjustmentSchema },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const view = await adjustmentProposer(deps, contextOf(request), {
        ...body,
        amountMinor: amountFrom(body.amountMinor),
      });
      return reply.code(201).send(presented(view, request.actor));
    },
  );

  app.post(
    '/payments/adjustments/:adjustmentId/decision',
    {
      schema: {
        tags,
        summary:
          'Approve (the ledger transfer is written) or reject an adjustment someone else proposed (audited)',
        params: Type.Object({ adjustmentId: Uuid }),
        querystring: PurposeQuery,
        body: Type.Object(
          { decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]) },
          { additionalProperties: false },
        ),
        response: { 200: AdjustmentSchema },
      },
    },
    async (request) =>
      presented(
        await adjustmentDecider(
          deps,
          contextOf(request),
          request.params.adjustmentId,
          request.body.decision,
        ),
        request.actor,
      ),
  );

  app.get(
    '/payments/adjustments',
    {
      schema: {
        tags,
        summary: 'Adjustments, newest first (audited)',
        querystring: Type.Intersect([PurposeQuery, Type.Object({ status: Type.Optional(Status) })]),
        response: { 200: Type.Object({ items: Type.Array(AdjustmentSchema) }) },
      },
    },
    async (request) => ({
      items: (await adjustmentLister(deps, contextOf(request), request.query.status)).map((view) =>
        presented(view, request.actor),
      ),
    }),
  );

  app.get(
    '/payments/frozen-wallets',
    {
      schema: {
        tags,
        summary:
          'Frozen wallets still holding money, and where their balance goes (each person audited)',
        querystring: PurposeQuery,
        response: { 200: Type.Object({ items: Type.Array(FrozenSchema) }) },
      },
    },
    async (request) => ({
      items: (await frozenBalanceLister(deps, contextOf(request))).map(presentedFrozen),
    }),
  );

  app.post(
    '/payments/frozen-wallets/:personId/moves',
    {
      schema: {
        tags,
        summary:
          "Propose moving a frozen wallet's balance to the survivor's wallet (merge) or the estate account (death, erasure) (audited)",
        params: Type.Object({ personId: Uuid }),
        querystring: PurposeQuery,
        body: Type.Object({ currency: Currency, note: Note }, { additionalProperties: false }),
        response: { 201: AdjustmentSchema },
      },
    },
    async (request, reply) => {
      const view = await frozenBalanceProposer(deps, contextOf(request), {
        personId: request.params.personId,
        ...request.body,
      });
      return reply.code(201).send(presented(view, request.actor));
    },
  );
};
