import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Actor, Purpose } from '../../../shared/access/actor.js';
import {
  AppealDetailSchema,
  AppealQueueQuery,
  AppealsResponse,
  BenefitsResponse,
  DecideAppealBody,
  FileAppealBody,
} from '../../../shared/api/appeals.js';
import { PersonIdParams, PurposeQuery } from '../../../shared/api/params.js';
import { type AppealDecidedHook, type AppealDecision, appealDecider } from './appeal-decider.js';
import type { AppealDependencies } from './appeal-guard.js';
import { appealQueue, appealView, personAppeals, personBenefits } from './appeal-reads.js';
import { appealAssigner, appealFiler } from './appeal-service.js';

export interface AppealRoutesOptions extends AppealDependencies {
  /** Told of each final decision inside its transaction: the person's text message. */
  onDecided?: AppealDecidedHook;
}

const AppealIdParams = Type.Object({ appealId: Type.String({ format: 'uuid' }) });
const StepAnswer = Type.Object({ appealId: Type.String(), status: Type.String() });

/**
 * "My benefits" and appeals under `/api` (issue #13, point 7; docs/APPEALS.md). Every route
 * is decided by the policy table (person.benefits, appeal.file, appeal.read, appeal.decide)
 * and audited.
 *
 * @example
 *   await app.register(appealRoutes, { prefix: '/api', db, audit });
 */
export const appealRoutes: FastifyPluginAsyncTypebox<AppealRoutesOptions> = async (app, deps) => {
  const context = (request: { actor: Actor | null; id: string }, purpose: Purpose | undefined) => ({
    actor: request.actor,
    purpose: purpose ?? null,
    requestId: request.id,
  });
  app.get(
    '/persons/:personId/benefits',
    {
      schema: {
        tags: ['appeals'],
        summary: "A person's standing in each published program, with the clause that failed",
        params: PersonIdParams,
        querystring: PurposeQuery,
        response: { 200: BenefitsResponse },
      },
    },
    async (request) => ({
      benefits: await personBenefits(deps, {
        ...context(request, request.query.purpose),
        personId: request.params.personId,
      }),
    }),
  );
  app.get(
    '/persons/:personId/appeals',
    {
      schema: {
        tags: ['appeals'],
        summary: "A person's appeals, newest first, with every step",
        params: PersonIdParams,
        querystring: PurposeQuery,
        response: { 200: AppealsResponse },
      },
    },
    async (request) => ({
      appeals: await personAppeals(deps, {
        ...context(request, request.query.purpose),
        personId: request.params.personId,
      }),
    }),
  );
  app.post(
    '/persons/:personId/appeals',
    {
      schema: {
        tags: ['appeals'],
        summary: "Files an appeal against the program's latest cycle (the person, or a clerk)",
        params: PersonIdParams,
        querystring: PurposeQuery,
        body: FileAppealBody,
        response: { 201: StepAnswer },
      },
    },
    async (request, reply) => {
      const filed = await appealFiler(deps, {
        ...context(request, request.query.purpose),
        personId: request.params.personId,
        programId: request.body.programId,
        statement: request.body.statement,
      });
      return reply.code(201).send(filed);
    },
  );
  app.get(
    '/appeals',
    {
      schema: {
        tags: ['appeals'],
        summary: "The program officers' queue in their regions (open, mine, overdue, decided)",
        querystring: AppealQueueQuery,
        response: { 200: AppealsResponse },
      },
    },
    async (request) => ({
      appeals: await appealQueue(deps, {
        ...context(request, request.query.purpose),
        view: request.query.view ?? 'open',
      }),
    }),
  );
  app.get(
    '/appeals/:appealId',
    {
      schema: {
        tags: ['appeals'],
        summary: "One appeal, its steps and the rule explained on the person's record",
        params: AppealIdParams,
        querystring: PurposeQuery,
        response: { 200: AppealDetailSchema },
      },
    },
    async (request) =>
      appealView(deps, {
        ...context(request, request.query.purpose),
        appealId: request.params.appealId,
      }),
  );
  app.post(
    '/appeals/:appealId/assign',
    {
      schema: {
        tags: ['appeals'],
        summary: 'Takes an appeal: assigned to the caller, who then decides it',
        params: AppealIdParams,
        querystring: PurposeQuery,
        body: Type.Object({}, { additionalProperties: false }),
        response: { 200: StepAnswer },
      },
    },
    async (request) =>
      appealAssigner(deps, {
        ...context(request, request.query.purpose),
        appealId: request.params.appealId,
      }),
  );
  app.post(
    '/appeals/:appealId/decision',
    {
      schema: {
        tags: ['appeals'],
        summary: 'Decides an appeal: upheld (entitlement granted), rejected, or a data error',
        params: AppealIdParams,
        querystring: PurposeQuery,
        body: DecideAppealBody,
        response: {
          200: Type.Object({
            appealId: Type.String(),
            status: Type.String(),
            entitlementId: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (request) => {
      const { outcome, reason, fields } = request.body;
      const decision: AppealDecision =
        outcome === 'data_error' ? { outcome, reason, fields: fields ?? [] } : { outcome, reason };
      return appealDecider(deps, {
        ...context(request, request.query.purpose),
        appealId: request.params.appealId,
        decision,
      });
    },
  );
};
