import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PersonIdParams, PurposeQuery } from '../../../shared/api/params.js';
import { forbiddenAttributeHook } from '../catalogue/index.js';
import { householdMover } from '../households/household-mover.js';
import { householdReader } from '../households/household-reader.js';
import { type DuplicateChecker, loadDuplicateChecker } from '../review/duplicate-checker.js';
import { presentCandidates } from '../review/review-candidates.js';
import { reviewDecider, reviewLister } from '../review/review-queue.js';
import { reviewReference } from '../review/review-reference.js';
import { personSearch } from '../search/person-search.js';
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
  HouseholdIdParams,
  HouseholdViewSchema,
  MergeBody,
  MoveAnswerSchema,
  MoveBody,
  ReviewDecisionBody,
  ReviewDecisionSchema,
  ReviewIdParams,
  ReviewListQuery,
  ReviewListSchema,
  SearchAnswerSchema,
  SearchQuerySchema,
  VersionAnswerSchema,
} from './write-schema.js';

/** What `app.ts` passes; the duplicate checker is built from the registry when not given. */
export type RegistryWriteOptions = Omit<RegistryWriteDependencies, 'duplicates'> & {
  duplicates?: DuplicateChecker;
};

/**
 * The registry's write side, search and duplicate review queue (Amparo issue 4). Thin: each
 * handler calls one service verb, which authorises, writes in one transaction with its audit
 * entry, and is idempotent on the body's clientId.
 */
export const registryWriteRoutes: FastifyPluginAsyncTypebox<RegistryWriteOptions> = async (
  app,
  options,
) => {
  const deps: RegistryWriteDependencies = {
    ...options,
    duplicates: options.duplicates ?? (await loadDuplicateChecker(options.db)),
  };
  const context = (request: {
    actor: RegistryActor;
    id: string;
    query: { purpose?: Purpose };
  }) => ({
    actor: request.actor,
    purpose: request.query.purpose ?? null,
    requestId: request.id,
  });
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
      const result = await personEnroller(deps, { ...context(request), request: request.body });
      const body =
        result.body.status === 'held'
          ? {
              ...(await presentCandidates(deps, context(request), result.body)),
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
        ...context(request),
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
        ...context(request),
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
        ...context(request),
        personId,
        request: request.body,
      });
      return reply.code(200).send(result.body);
    },
  );

  app.post(
    '/persons/:personId/household',
    {
      schema: {
        tags: ['registry'],
        summary: 'Move a person to another or a new household (idempotent; audited)',
        params: PersonIdParams,
        querystring: PurposeQuery,
        body: MoveBody,
        response: { 200: MoveAnswerSchema },
      },
    },
    async (request, reply) => {
      const { personId } = request.params;
      const result = await householdMover(deps, {
        ...context(request),
        personId,
        request: request.body,
      });
      return reply.code(200).send(result.body);
    },
  );

  registerReadRoutes(app, deps, context);
};

type RegistryActor = Parameters<typeof personSearch>[1]['actor'];
type Purpose = NonNullable<Parameters<typeof personSearch>[1]['purpose']>;
type Context = (request: { actor: RegistryActor; id: string; query: { purpose?: Purpose } }) => {
  actor: RegistryActor;
  purpose: Purpose | null;
  requestId: string;
};

function registerReadRoutes(
  app: Parameters<FastifyPluginAsyncTypebox>[0],
  deps: RegistryWriteDependencies,
  context: Context,
): void {
  app.get(
    '/persons',
    {
      schema: {
        tags: ['registry'],
        summary:
          'Search persons by uin, name, householdId or phone (paginated; each result audited)',
        querystring: SearchQuerySchema,
        response: { 200: SearchAnswerSchema },
      },
    },
    async (request) => {
      const { purpose: _purpose, ...query } = request.query;
      return personSearch(deps, { ...context(request), query });
    },
  );

  app.get(
    '/households/:householdId',
    {
      schema: {
        tags: ['registry'],
        summary: 'Read a household and its members for a stated purpose (audited)',
        params: HouseholdIdParams,
        querystring: PurposeQuery,
        response: { 200: HouseholdViewSchema },
      },
    },
    async (request) =>
      householdReader(deps, { ...context(request), householdId: request.params.householdId }),
  );

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
        ...context(request),
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
        ...context(request),
        reviewId: request.params.reviewId,
        request: request.body,
      }),
  );
}
