import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { limits } from '../../../limits.js';
import { PurposeQuery } from '../../../shared/api/params.js';
import { type ClusterDependencies, clusterLister, clusterReviewer } from './cluster-review.js';

const ClusterListQuery = Type.Object(
  {
    ...PurposeQuery.properties,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: limits.pagination.pageSizeMax })),
  },
  { additionalProperties: false },
);

const ClusterParams = Type.Object(
  {
    runId: Type.String({ format: 'uuid' }),
    clusterId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
  },
  { additionalProperties: false },
);

const ClusterReviewBody = Type.Object(
  {
    distinct: Type.Boolean({
      description:
        'true: the active records are different people and stay apart; false: their duplicates were merged',
    }),
  },
  { additionalProperties: false },
);

const ClusterPerson = Type.Object({
  personId: Type.String({ format: 'uuid' }),
  status: Type.String(),
  regionCode: Type.String(),
});

const ClusterSchema = Type.Object({
  runId: Type.String({ format: 'uuid' }),
  clusterId: Type.Integer(),
  maxScore: Type.Number(),
  persons: Type.Array(ClusterPerson),
});

/**
 * GET /api/dedup-clusters (open clusters of `amparo dedup run`, record ids only) and
 * POST /api/dedup-clusters/:runId/:clusterId/review. Registry supervisors (`person.merge`).
 *
 * @example
 *   await app.register(clusterRoutes, { db, audit: auditLog });
 */
export const clusterRoutes: FastifyPluginAsyncTypebox<ClusterDependencies> = async (app, deps) => {
  app.get(
    '/dedup-clusters',
    {
      schema: {
        tags: ['registry'],
        summary:
          'Open duplicate clusters found by the batch run, in your regions (record ids only)',
        querystring: ClusterListQuery,
        response: { 200: Type.Object({ items: Type.Array(ClusterSchema) }) },
      },
    },
    async (request) =>
      clusterLister(deps, {
        actor: request.actor,
        purpose: request.query.purpose ?? null,
        requestId: request.id,
        ...(request.query.limit === undefined ? {} : { limit: request.query.limit }),
      }),
  );

  app.post(
    '/dedup-clusters/:runId/:clusterId/review',
    {
      schema: {
        tags: ['registry'],
        summary: 'Mark a duplicate cluster reviewed (after merging, or as different people)',
        params: ClusterParams,
        querystring: PurposeQuery,
        body: ClusterReviewBody,
        response: {
          200: Type.Object({
            runId: Type.String(),
            clusterId: Type.Integer(),
            status: Type.Literal('reviewed'),
          }),
        },
      },
    },
    async (request) =>
      clusterReviewer(deps, {
        actor: request.actor,
        purpose: request.query.purpose ?? null,
        requestId: request.id,
        runId: request.params.runId,
        clusterId: request.params.clusterId,
        distinct: request.body.distinct,
      }),
  );
};
