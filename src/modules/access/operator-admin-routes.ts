import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { limits } from '../../limits.js';
import type { Actor, Purpose } from '../../shared/access/actor.js';
import { roles } from '../../shared/access/roles.js';
import { AdminResultSchema, OperatorSchema } from '../../shared/api/operators.js';
import { PurposeQuery } from '../../shared/api/params.js';
import {
  type OperatorAdminDependencies,
  operatorChanger,
  operatorCreator,
  operatorLister,
} from './operator-admin.js';
import { operatorChangeRoutes } from './operator-change-routes.js';

const Username = Type.String({
  pattern: '^[a-z0-9][a-z0-9._-]{2,63}$',
  description: 'Lower case letters, digits, dot, dash, underscore; 3 to 64 characters',
});
const DisplayName = Type.String({ minLength: 1, maxLength: 120, pattern: '\\S' });
const Roles = Type.Array(Type.Union(roles.map((role) => Type.Literal(role))), {
  minItems: 1,
  maxItems: roles.length,
});
const Regions = Type.Array(Type.String({ pattern: '^VE-[A-Z]$' }), { minItems: 1, maxItems: 30 });

const ListQuery = Type.Object(
  {
    ...PurposeQuery.properties,
    after: Type.Optional(Username),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: limits.pagination.pageSizeMax })),
  },
  { additionalProperties: false },
);

const CreateBody = Type.Object(
  { username: Username, displayName: DisplayName, roles: Roles, regions: Regions },
  { additionalProperties: false },
);

const ChangeBody = Type.Object(
  {
    displayName: Type.Optional(DisplayName),
    roles: Type.Optional(Roles),
    regions: Type.Optional(Regions),
    disabled: Type.Optional(Type.Boolean()),
    resetCredentials: Type.Optional(Type.Literal(true)),
  },
  { additionalProperties: false, minProperties: 1 },
);

/**
 * Operator accounts for administrators (`operator.manage`): GET /api/operators,
 * POST /api/operators (201, with the first half of the enrolment code, shown once),
 * POST /api/operators/:id/changes (roles, regions, name, disabled, or new credentials), and
 * the grants waiting for a second administrator (operator-change-routes.ts).
 *
 * @example
 *   await app.register(operatorAdminRoutes, { db, audit: auditLog, masterKey, hashOptions, now });
 */
export const operatorAdminRoutes: FastifyPluginAsyncTypebox<OperatorAdminDependencies> = async (
  app,
  deps,
) => {
  await app.register(operatorChangeRoutes, deps);
  const context = (request: { actor: Actor | null; id: string }, purpose?: Purpose) => ({
    actor: request.actor,
    purpose: purpose ?? null,
    requestId: request.id,
  });

  app.get(
    '/operators',
    {
      schema: {
        tags: ['access'],
        summary: 'Operator accounts, by user name (administrator)',
        querystring: ListQuery,
        response: {
          200: Type.Object({
            items: Type.Array(OperatorSchema),
            nextAfter: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (request) =>
      operatorLister(deps, {
        ...context(request, request.query.purpose),
        ...(request.query.after === undefined ? {} : { after: request.query.after }),
        ...(request.query.limit === undefined ? {} : { limit: request.query.limit }),
      }),
  );

  app.post(
    '/operators',
    {
      schema: {
        tags: ['access'],
        summary:
          'Create an operator account; its roles wait for a second administrator, the answer holds the first half of its enrolment code, once',
        querystring: PurposeQuery,
        body: CreateBody,
        response: {
          201: AdminResultSchema,
        },
      },
    },
    async (request, reply) => {
      const created = await operatorCreator(deps, {
        ...context(request, request.query.purpose),
        account: request.body,
      });
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  );

  app.post(
    '/operators/:operatorId/changes',
    {
      schema: {
        tags: ['access'],
        summary:
          'Change an account: removals apply now; added roles or regions and new credentials wait for a second administrator',
        params: Type.Object({ operatorId: Type.String({ format: 'uuid' }) }),
        querystring: PurposeQuery,
        body: ChangeBody,
        response: { 200: AdminResultSchema },
      },
    },
    async (request, reply) => {
      const changed = await operatorChanger(deps, {
        ...context(request, request.query.purpose),
        operatorId: request.params.operatorId,
        change: request.body,
      });
      return reply.header('cache-control', 'no-store').send(changed);
    },
  );
};
