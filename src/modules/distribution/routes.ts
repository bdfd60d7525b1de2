import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Actor, Purpose } from '../../shared/access/actor.js';
import {
  PointDetailSchema,
  PointSummarySchema,
  StockAnswerSchema,
  StockCountAnswerSchema,
} from '../../shared/api/distribution.js';
import { PurposeQuery } from '../../shared/api/params.js';
import { MovementPageSchema } from '../../shared/api/stock-transfers.js';
import type { DistributionContext, DistributionDependencies } from './distribution-context.js';
import { pointChanger, pointCreator, pointReader, pointsLister } from './points/point-service.js';
import {
  AdjustmentBody,
  DeliveryBody,
  MovementsQuery,
  NewPointBody,
  PointChangeBody,
  PointIdParams,
  PointsQuery,
  StockCountBody,
} from './schema.js';
import {
  adjustmentRecorder,
  countRecorder,
  deliveryRecorder,
  movementsLister,
} from './stock/stock-service.js';

export function contextOf(request: {
  actor: Actor | null;
  id: string;
  query: { purpose?: Purpose | undefined };
}): DistributionContext {
  return { actor: request.actor, purpose: request.query.purpose ?? null, requestId: request.id };
}

/**
 * Points and stock (issue #15, points 1 and 2). Thin: each handler calls one service verb,
 * which authorises by the decision table, writes in one transaction with its audit entry, and
 * is idempotent where a device may retry.
 */
export const pointRoutes: FastifyPluginAsyncTypebox<DistributionDependencies> = async (
  app,
  deps,
) => {
  const tags = ['distribution'];
  app.post(
    '/distribution/points',
    {
      schema: {
        tags,
        summary: 'Register a distribution point (supervisor; audited)',
        querystring: PurposeQuery,
        body: NewPointBody,
        response: { 201: Type.Object({ pointId: Type.String() }) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await pointCreator(deps, contextOf(request), request.body)),
  );

  app.get(
    '/distribution/points',
    {
      schema: {
        tags,
        summary: 'Points in your regions; `assigned` marks yours (audited)',
        querystring: PointsQuery,
        response: { 200: Type.Object({ points: Type.Array(PointSummarySchema) }) },
      },
    },
    async (request) => ({
      points: await pointsLister(deps, contextOf(request), request.query),
    }),
  );

  app.get(
    '/distribution/points/:pointId',
    {
      schema: {
        tags,
        summary: 'One point: programs served, operators, stock on hand (audited)',
        params: PointIdParams,
        querystring: PurposeQuery,
        response: { 200: PointDetailSchema },
      },
    },
    async (request) => pointReader(deps, contextOf(request), request.params.pointId),
  );

  app.post(
    '/distribution/points/:pointId/changes',
    {
      schema: {
        tags,
        summary: 'Open or close a point, rename it, edit its programs and operators (audited)',
        params: PointIdParams,
        querystring: PurposeQuery,
        body: PointChangeBody,
        response: { 200: PointDetailSchema },
      },
    },
    async (request) => pointChanger(deps, contextOf(request), request.params.pointId, request.body),
  );

  app.post(
    '/distribution/points/:pointId/deliveries',
    {
      schema: {
        tags,
        summary: 'Record stock delivered to the point (idempotent; audited)',
        params: PointIdParams,
        querystring: PurposeQuery,
        body: DeliveryBody,
        response: { 201: StockAnswerSchema },
      },
    },
    async (request, reply) => {
      const result = await deliveryRecorder(
        deps,
        contextOf(request),
        request.params.pointId,
        request.body,
      );
      return reply.code(201).send(result.body);
    },
  );

  app.post(
    '/distribution/points/:pointId/adjustments',
    {
      schema: {
        tags,
        summary: "A supervisor's stock adjustment with its reason (idempotent; audited)",
        params: PointIdParams,
        querystring: PurposeQuery,
        body: AdjustmentBody,
        response: { 201: StockAnswerSchema },
      },
    },
    async (request, reply) => {
      const result = await adjustmentRecorder(
        deps,
        contextOf(request),
        request.params.pointId,
        request.body,
      );
      return reply.code(201).send(result.body);
    },
  );

  app.post(
    '/distribution/points/:pointId/stock-counts',
    {
      schema: {
        tags,
        summary: 'Record a physical count of an item; moves no stock (idempotent; audited)',
        params: PointIdParams,
        querystring: PurposeQuery,
        body: StockCountBody,
        response: { 201: StockCountAnswerSchema },
      },
    },
    async (request, reply) => {
      const result = await countRecorder(
        deps,
        contextOf(request),
        request.params.pointId,
        request.body,
      );
      return reply.code(201).send(result.body);
    },
  );

  app.get(
    '/distribution/points/:pointId/movements',
    {
      schema: {
        tags,
        summary: "The point's stock ledger, newest first, a page at a time (audited)",
        params: PointIdParams,
        querystring: MovementsQuery,
        response: { 200: MovementPageSchema },
      },
    },
    async (request) =>
      movementsLister(deps, contextOf(request), request.params.pointId, request.query),
  );
};
