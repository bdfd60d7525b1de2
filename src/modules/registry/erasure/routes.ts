import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  EmptyBody,
  ErasureIdParams,
  ErasureListQuery,
  ErasurePersonParams,
  ErasurePurposeQuery,
  ErasureRequestBody,
  ErasureRequestByUinBody,
  ErasureRequestList,
  ErasureRequestSchema,
} from './schema.js';
import {
  type ErasureDependencies,
  erasureApprover,
  erasureLister,
  erasureRequester,
  erasureRequesterByUin,
  erasureWithdrawer,
} from './service.js';

/**
 * Lawful erasure (safeguard 5, docs/ERASURE.md): one administrator requests, a different one
 * approves, and the approval destroys the person's data key. Every step goes through the
 * person access gate and is audited.
 */
export const erasureRoutes: FastifyPluginAsyncTypebox<ErasureDependencies> = async (app, deps) => {
  app.post(
    '/persons/:personId/erasure-requests',
    {
      schema: {
        tags: ['erasure'],
        summary: 'Ask for the erasure of a person (administrator; a second one must approve)',
        params: ErasurePersonParams,
        querystring: ErasurePurposeQuery,
        body: ErasureRequestBody,
        response: { 201: ErasureRequestSchema },
      },
    },
    async (request, reply) => {
      const created = await erasureRequester(deps, {
        actor: request.actor,
        personId: request.params.personId,
        reasonCode: request.body.reasonCode,
        reference: request.body.reference ?? null,
        purpose: request.query.purpose ?? null,
        requestId: request.id,
      });
      return reply.code(201).send(created);
    },
  );

  app.post(
    '/erasure-requests',
    {
      schema: {
        tags: ['erasure'],
        summary: 'Ask for the erasure of the person with this ID number (administrator)',
        querystring: ErasurePurposeQuery,
        body: ErasureRequestByUinBody,
        response: { 201: ErasureRequestSchema },
      },
    },
    async (request, reply) => {
      const created = await erasureRequesterByUin(deps, {
        actor: request.actor,
        uin: request.body.uin,
        reasonCode: request.body.reasonCode,
        reference: request.body.reference ?? null,
        purpose: request.query.purpose ?? null,
        requestId: request.id,
      });
      return reply.code(201).send(created);
    },
  );

  const decision = {
    params: ErasureIdParams,
    querystring: ErasurePurposeQuery,
    body: EmptyBody,
    response: { 200: ErasureRequestSchema },
  };
  app.post(
    '/erasure-requests/:id/approve',
    {
      schema: {
        ...decision,
        tags: ['erasure'],
        summary: 'Approve and execute an erasure (an administrator other than the requester)',
      },
    },
    async (request) =>
      erasureApprover(deps, {
        actor: request.actor,
        erasureId: request.params.id,
        purpose: request.query.purpose ?? null,
        requestId: request.id,
      }),
  );
  app.post(
    '/erasure-requests/:id/withdraw',
    {
      schema: { ...decision, tags: ['erasure'], summary: 'Withdraw a pending erasure request' },
    },
    async (request) =>
      erasureWithdrawer(deps, {
        actor: request.actor,
        erasureId: request.params.id,
        purpose: request.query.purpose ?? null,
        requestId: request.id,
      }),
  );

  app.get(
    '/erasure-requests',
    {
      schema: {
        tags: ['erasure'],
        summary: 'Erasure requests about persons of your regions (administrators)',
        querystring: ErasureListQuery,
        response: { 200: ErasureRequestList },
      },
    },
    async (request) => ({
      items: await erasureLister(deps, {
        actor: request.actor,
        status: request.query.status ?? 'pending',
        limit: request.query.limit ?? null,
        requestId: request.id,
      }),
    }),
  );
};
