import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PurposeQuery } from '../../../shared/api/params.js';
import {
  TransferAnswerSchema,
  TransferListingSchema,
} from '../../../shared/api/stock-transfers.js';
import type { DistributionDependencies } from '../distribution-context.js';
import { contextOf } from '../routes.js';
import {
  PointIdParams,
  TransferAcceptBody,
  TransferBody,
  TransferParams,
  TransferRefuseBody,
  TransfersQuery,
} from '../schema.js';
import { transfersLister } from './transfer-reader.js';
import { transferAcceptor, transferRefuser, transferStarter } from './transfer-service.js';

/**
 * Transfers between points (issue #15, point 2): the sender starts one, the goods are in transit,
 * the receiving point accepts (with what arrived) or refuses. Thin: one service verb each.
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

  app.post(
    `${base}/:transferId/acceptance`,
    {
      schema: {
        tags,
        summary:
          'The receiving point accepts a transfer with the quantity that arrived; a shortfall needs its reason (once; idempotent; audited)',
        params: TransferParams,
        querystring: PurposeQuery,
        body: TransferAcceptBody,
        response: { 201: TransferAnswerSchema },
      },
    },
    async (request, reply) => {
      const result = await transferAcceptor(
        deps,
        contextOf(request),
        request.params.pointId,
        request.params.transferId,
        request.body,
      );
      return reply.code(201).send(result.body);
    },
  );

  app.post(
    `${base}/:transferId/refusal`,
    {
      schema: {
        tags,
        summary:
          'The receiving point refuses a transfer: the goods go back to the sender (once; idempotent; audited)',
        params: TransferParams,
        querystring: PurposeQuery,
        body: TransferRefuseBody,
        response: { 201: TransferAnswerSchema },
      },
    },
    async (request, reply) => {
      const result = await transferRefuser(
        deps,
        contextOf(request),
        request.params.pointId,
        request.params.transferId,
        request.body,
      );
      return reply.code(201).send(result.body);
    },
  );
};
