import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { limits } from '../../limits.js';
import { AdminResultSchema, OperatorChangeSchema } from '../../shared/api/operators.js';
import { PurposeQuery } from '../../shared/api/params.js';
import type { OperatorAdminDependencies } from './operator-admin-context.js';
import {
  operatorChangeApprover,
  operatorChangeLister,
  operatorChangeRefuser,
} from './operator-grants.js';

const ListQuery = Type.Object(
  {
    ...PurposeQuery.properties,
    status: Type.Optional(
      Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('refused')]),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: limits.pagination.pageSizeMax })),
  },
  { additionalProperties: false },
);

const ChangeParams = Type.Object({ changeId: Type.String({ format: 'uuid' }) });
const EmptyBody = Type.Object({}, { additionalProperties: false });

/**
 * Grants waiting for a second administrator (`operator.manage`, docs/ACCESS.md):
 * GET /api/operator-changes?status=pending, POST /api/operator-changes/:id/approve (applies it;
 * for a new account or a reset the answer holds the second half of the enrolment code, once)
 * and POST /api/operator-changes/:id/refuse (also how the one who asked withdraws it).
 *
 * @example
 *   await app.register(operatorChangeRoutes, deps);
 */
export const operatorChangeRoutes: FastifyPluginAsyncTypebox<OperatorAdminDependencies> = async (
  app,
  deps,
) => {
  app.get(
    '/operator-changes',
    {
      schema: {
        tags: ['access'],
        summary: 'Grants of access by status, oldest first (administrator)',
        querystring: ListQuery,
        response: { 200: Type.Object({ items: Type.Array(OperatorChangeSchema) }) },
      },
    },
    async (request) =>
      operatorChangeLister(deps, {
        actor: request.actor,
        purpose: request.query.purpose ?? null,
        requestId: request.id,
        status: request.query.status ?? 'pending',
        ...(request.query.limit === undefined ? {} : { limit: request.query.limit }),
      }),
  );
  for (const [verb, step] of [
    ['approve', operatorChangeApprover],
    ['refuse', operatorChangeRefuser],
  ] as const) {
    app.post(
      `/operator-changes/:changeId/${verb}`,
      {
        schema: {
          tags: ['access'],
          summary:
            verb === 'approve'
              ? 'Approve a grant asked by another administrator; it applies at once'
              : 'Refuse a grant (or withdraw your own request); nothing is granted',
          params: ChangeParams,
          querystring: PurposeQuery,
          body: EmptyBody,
          response: { 200: AdminResultSchema },
        },
      },
      async (request, reply) => {
        const result = await step(deps, {
          actor: request.actor,
          purpose: request.query.purpose ?? null,
          requestId: request.id,
          changeId: request.params.changeId,
        });
        return reply.header('cache-control', 'no-store').send(result);
      },
    );
  }
};
