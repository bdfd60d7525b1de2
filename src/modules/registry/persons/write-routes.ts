import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PersonIdParams, PurposeQuery } from '../../../shared/api/params.js';
import { forbiddenAttributeHook } from '../catalogue/index.js';
import { requestContext } from '../request-context.js';
import { presentCandidates } from '../review/review-candidates.js';
import { reviewReference } from '../review/review-reference.js';
import { deathRecorder, personCorrector } from './person-corrector.js';
import { personEnroller } from './person-enroller.js';
import { personMerger } from './person-merger.js';
import type { RegistryWriteDependencies } from './person-writer.js';
import {
  CorrectionBody,
  DeathBody,
  EnrolBody,
  EnrolledSchema,
  HeldSchema,
  MergeBody,
  VersionAnswerSchema,
} from './write-schema.js';

/**
 * A person's record changes: enrolment, corrections, a death, a merge (Amparo issue 4). Thin:
 * each handler calls one service verb, which authorises, writes in one transaction with its
 * audit entry, and is idempotent on the body's clientId. Registered by the registry's plugin.
 */
export const personWriteRoutes: FastifyPluginAsyncTypebox<RegistryWriteDependencies> = async (
  app,
  deps,
) => {
  const attributesHook = forbiddenAttributeHook();

  app.post(
    '/persons',
    {
      preValidation: attributesHook,
      schema: {
        tags: ['registry'],
        summary: 'Enrol a person (idempotent on clientId; audited)',
        querystring: PurposeQuery,
        body: EnrolBody,
        response: { 201: EnrolledSchema, 202: HeldSchema },
      },
    },
    async (request, reply) => {
      const result = await personEnroller(deps, {
        ...requestContext(request),
        request: request.body,
      });
      const body =
        result.body.status === 'held'
          ? {
              ...(await presentCandidates(deps, requestContext(request), result.body)),
              reference: reviewReference(result.body.reviewId),
            }
          : result.body;
      // Safe: the enroller answers 201 (enrolled) or 202 (held), nothing else.
      return reply.code(result.status as 201 | 202).send(body);
    },
  );

  app.post(
    '/persons/:personId/corrections',
    {
      preValidation: attributesHook,
      schema: {
        tags: ['registry'],
        summary: 'Correct attributes: a new version (idempotent; audited)',
        params: PersonIdParams,
        querystring: PurposeQuery,
        body: CorrectionBody,
        response: { 200: VersionAnswerSchema },
      },
    },
    async (request, reply) => {
      const { personId } = request.params;
      const result = await personCorrector(deps, {
        ...requestContext(request),
        personId,
        request: request.body,
      });
      return reply.code(200).send(result.body);
    },
  );

  app.post(
    '/persons/:personId/death',
    {
      schema: {
        tags: ['registry'],
        summary: 'Record a death (idempotent; audited)',
        params: PersonIdParams,
        querystring: PurposeQuery,
        body: DeathBody,
        response: { 200: VersionAnswerSchema },
      },
    },
    async (request, reply) => {
      const { personId } = request.params;
      const result = await deathRecorder(deps, {
        ...requestContext(request),
        personId,
        request: request.body,
      });
      return reply.code(200).send(result.body);
    },
  );

  app.post(
    '/persons/:personId/merge',
    {
      schema: {
        tags: ['registry'],
        summary: 'Merge this record into a survivor (idempotent; audited)',
        params: PersonIdParams,
        querystring: PurposeQuery,
        body: MergeBody,
        response: { 200: VersionAnswerSchema },
      },
    },
    async (request, reply) => {
      const { personId } = request.params;
      const result = await personMerger(deps, {
        ...requestContext(request),
        personId,
        request: request.body,
      });
      return reply.code(200).send(result.body);
    },
  );
};
