import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static, TSchema } from 'typebox';
import { PurposeQuery } from '../../../shared/api/params.js';
import {
  type TransferAnswer,
  TransferAnswerSchema,
  TransferListingSchema,
} from '../../../shared/api/stock-transfers.js';
import type { DistributionContext, DistributionDependencies } from '../distribution-context.js';
import { contextOf } from '../routes.js';
import {
  PointIdParams,
  TransferAcceptBody,
  TransferBody,
  TransferCancelBody,
  TransferParams,
  TransferRefuseBody,
  TransfersQuery,
} from '../schema.js';
import { transfersLister } from './transfer-reader.js';
import {
  transferAcceptor,
  transferCanceller,
  transferRefuser,
  transferStarter,
} from './transfer-service.js';

/**
 * Transfers between points (issue #15, point 2): the sender starts one, the goods are in transit,
 * the receiving point accepts (with what arrived) or refuses, or the sender's supervisor cancels
 * it. Thin: one service verb each.
 */
export const transferRoutes: FastifyPluginAsyncTypebox<DistributionDependencies> = async (
  app,
  deps,
) => {
  const tags = ['distribution'];
  const base = '/distribution/points/:pointId/transfers';
  app.post(
    base,
    {
      schema: {
        tags,
        summary:
          'Send stock from this point to another: it leaves at once and is in transit until the receiver decides (idempotent; audited)',
        params: PointIdParams,
        querystring: PurposeQuery,
        body: TransferBody,
        response: { 201: TransferAnswerSchema },
      },
    },
    async (request, reply) => {
      const result = await transferStarter(
        deps,
        contextOf(request),
        request.params.pointId,
        request.body,
      );
      return reply.code(201).send(result.body);
    },
  );

  app.get(
    base,
    {
      schema: {
        tags,
        summary:
          'Transfers sent by this point and to it, newest first, and what is in transit (audited)',
        params: PointIdParams,
        querystring: TransfersQuery,
        response: { 200: TransferListingSchema },
      },
    },
    async (request) =>
      transfersLister(deps, contextOf(request), request.params.pointId, request.query),
  );

  /**
   * One decision on a transfer (acceptance, refusal, cancellation): the same address shape,
   * schemas and answer, one service verb each.
   */
  const decisionRoute = <Body extends TSchema>(
    segment: string,
    summary: string,
    body: Body,
    decide: (
      deps: DistributionDependencies,
      context: DistributionContext,
      pointId: string,
      transferId: string,
      props: Static<Body>,
    ) => Promise<{ status: number; body: TransferAnswer }>,
  ) =>
    app.post(
      `${base}/:transferId/${segment}`,
      {
        schema: {
          tags,
          summary,
          params: TransferParams,
          querystring: PurposeQuery,
          body,
          response: { 201: TransferAnswerSchema },
        },
      },
      async (request, reply) => {
        const result = await decide(
          deps,
          contextOf(request),
          request.params.pointId,
          request.params.transferId,
          // Safe: Fastify validated the body against `body`; the generic hides that from the provider.
          request.body as Static<Body>,
        );
        return reply.code(201).send(result.body);
      },
    );

  decisionRoute(
    'acceptance',
    'The receiving point accepts a transfer with the quantity that arrived; a shortfall needs its reason (once; idempotent; audited)',
    TransferAcceptBody,
    transferAcceptor,
  );
  decisionRoute(
    'refusal',
    'The receiving point refuses a transfer: the goods go back to the sender (once; idempotent; audited)',
    TransferRefuseBody,
    transferRefuser,
  );
  decisionRoute(
    'cancellation',
    "The sending point's supervisor cancels a transfer in transit, with a reason: the goods go back to the sender (once; idempotent; audited)",
    TransferCancelBody,
    transferCanceller,
  );
};
