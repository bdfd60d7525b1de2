import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  DecideHoldObjectionBody,
  FileHoldObjectionBody,
  HoldObjectionAnswer,
  HoldObjectionDetailSchema,
  HoldObjectionQueueSchema,
} from '../../../shared/api/hold-objections.js';
import { PurposeQuery } from '../../../shared/api/params.js';
import type { DistributionDependencies } from '../distribution-context.js';
import { contextOf } from '../routes.js';
import {
  holdObjectionDecider,
  holdObjectionQueue,
  holdObjectionView,
} from './hold-objection-decider.js';
import { holdObjectionFiler } from './hold-objection-service.js';

const ObjectionIdParams = Type.Object({ objectionId: Type.String() });

/**
 * A person's objection to a hold on their entitlement (docs/DISTRIBUTION.md, "Objecting to a
 * hold"): filed by the person or a clerk for them (`appeal.file`), listed, opened and decided
 * by a program officer of the hold's region (`appeal.decide`). Every step audited on the person.
 */
export const holdObjectionRoutes: FastifyPluginAsyncTypebox<DistributionDependencies> = async (
  app,
  deps,
) => {
  const tags = ['distribution'];
  app.post(
    '/distribution/entitlement-holds/:holdId/objections',
    {
      schema: {
        tags,
        summary: 'Object to a hold in force, with a statement (the person, or a clerk for them)',
        params: Type.Object({ holdId: Type.String() }),
        querystring: PurposeQuery,
        body: FileHoldObjectionBody,
        response: { 201: HoldObjectionAnswer },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await holdObjectionFiler(deps, contextOf(request), request.params.holdId, request.body),
        ),
  );
  app.get(
    '/distribution/hold-objections',
    {
      schema: {
        tags,
        summary: "Undecided objections to holds in force in the officer's regions (audited)",
        querystring: PurposeQuery,
        response: { 200: HoldObjectionQueueSchema },
      },
    },
    async (request) => ({ objections: await holdObjectionQueue(deps, contextOf(request)) }),
  );
  app.get(
    '/distribution/hold-objections/:objectionId',
    {
      schema: {
        tags,
        summary: "One objection: the person's statement and the hold's note (audited read)",
        params: ObjectionIdParams,
        querystring: PurposeQuery,
        response: { 200: HoldObjectionDetailSchema },
      },
    },
    async (request) => holdObjectionView(deps, contextOf(request), request.params.objectionId),
  );
  app.post(
    '/distribution/hold-objections/:objectionId/decision',
    {
      schema: {
        tags,
        summary: 'Decide an objection: upheld lifts the hold, rejected keeps it (audited; texted)',
        params: ObjectionIdParams,
        querystring: PurposeQuery,
        body: DecideHoldObjectionBody,
        response: { 200: HoldObjectionAnswer },
      },
    },
    async (request) =>
      holdObjectionDecider(deps, contextOf(request), request.params.objectionId, request.body),
  );
};
