import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PurposeQuery } from '../../../shared/api/params.js';
import type { RegistryWriteDependencies } from '../persons/person-writer.js';
import {
  ReviewDecisionBody,
  ReviewDecisionSchema,
  ReviewIdParams,
  ReviewListQuery,
  ReviewListSchema,
} from '../persons/write-schema.js';
import { requestContext } from '../request-context.js';
import { reviewDecider, reviewLister } from './review-queue.js';

/**
 * The enrolment-time duplicate review queue: a registry supervisor lists the open reviews in
 * their regions and decides each (keep as new, or merge). Registered by the registry's plugin.
 */
export const reviewRoutes: FastifyPluginAsyncTypebox<RegistryWriteDependencies> = async (
  app,
  deps,
) => {
  app.get(
    '/duplicate-reviews',
    {
      schema: {
        tags: ['registry'],
        summary: 'Open duplicate reviews in your regions (registry supervisor)',
        querystring: ReviewListQuery,
        response: { 200: ReviewListSchema },
      },
    },
    async (request) =>
      reviewLister(deps, {
        ...requestContext(request),
        ...(request.query.cursor !== undefined ? { cursor: request.query.cursor } : {}),
      }),
  );

  app.post(
    '/duplicate-reviews/:reviewId/decision',
    {
      schema: {
        tags: ['registry'],
        summary: 'Decide a duplicate review: keep as new or merge (audited)',
        params: ReviewIdParams,
        querystring: PurposeQuery,
        body: ReviewDecisionBody,
        response: { 200: ReviewDecisionSchema },
      },
    },
    async (request) =>
      reviewDecider(deps, {
        ...requestContext(request),
        reviewId: request.params.reviewId,
        request: request.body,
      }),
  );
};
