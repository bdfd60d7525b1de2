import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AssistedCheckAnswerSchema,
  AssistedListingSchema,
  AssistedStartAnswerSchema,
  RedemptionAnswerSchema,
} from '../../../shared/api/distribution.js';
import { PurposeQuery } from '../../../shared/api/params.js';
import type { DistributionDependencies } from '../distribution-context.js';
import { contextOf } from '../routes.js';
import {
  AssistedCheckBody,
  AssistedIdParams,
  AssistedListQuery,
  AssistedRedemptionBody,
  AssistedStartBody,
  PointIdParams,
} from '../schema.js';
import { assistedLister, assistedRedeemer } from './assisted-redeemer.js';
import { assistedChecker, assistedStarter } from './assisted-service.js';

/** Redemption without the card (issue #15, point 4): start, second check, redeem, review. */
export const assistedRoutes: FastifyPluginAsyncTypebox<DistributionDependencies> = async (
  app,
  deps,
) => {
  const tags = ['distribution'];
  const base = '/distribution/points/:pointId/assisted-redemptions';
  app.post(
    base,
    {
      schema: {
        tags,
        summary:
          'Start a redemption without the card: ID number, reason, second check (counted per operator per day; audited)',
        params: PointIdParams,
        querystring: PurposeQuery,
        body: AssistedStartBody,
        response: { 201: AssistedStartAnswerSchema },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .header('cache-control', 'no-store')
        .send(
          await assistedStarter(deps, contextOf(request), request.params.pointId, request.body),
        ),
  );

  app.get(
    base,
    {
      schema: {
        tags,
        summary: "A point's redemptions without the card on one day, for the supervisor (audited)",
        params: PointIdParams,
        querystring: AssistedListQuery,
        response: { 200: AssistedListingSchema },
      },
    },
    async (request) =>
      assistedLister(deps, contextOf(request), request.params.pointId, request.query),
  );

  app.post(
    `${base}/:assistedId/check`,
    {
      schema: {
        tags,
        summary:
          'Pass the second check (code, attestation or a household card): what the person may take (audited)',
        params: AssistedIdParams,
        querystring: PurposeQuery,
        body: AssistedCheckBody,
        response: { 200: AssistedCheckAnswerSchema },
      },
    },
    async (request, reply) =>
      reply
        .header('cache-control', 'no-store')
        .send(
          await assistedChecker(
            deps,
            contextOf(request),
            request.params.pointId,
            request.params.assistedId,
            request.body,
          ),
        ),
  );

  app.post(
    `${base}/:assistedId/redemptions`,
    {
      schema: {
        tags,
        summary: 'Redeem all or part of an entitlement without the card (idempotent; audited)',
        params: AssistedIdParams,
        querystring: PurposeQuery,
        body: AssistedRedemptionBody,
        response: { 201: RedemptionAnswerSchema },
      },
    },
    async (request, reply) => {
      const result = await assistedRedeemer(
        deps,
        contextOf(request),
        request.params.pointId,
        request.params.assistedId,
        request.body,
      );
      return reply.code(201).header('cache-control', 'no-store').send(result.body);
    },
  );
};
