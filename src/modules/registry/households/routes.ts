import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PersonIdParams, PurposeQuery } from '../../../shared/api/params.js';
import type { RegistryWriteDependencies } from '../persons/person-writer.js';
import {
  HouseholdIdParams,
  HouseholdViewSchema,
  MoveAnswerSchema,
  MoveBody,
} from '../persons/write-schema.js';
import { requestContext } from '../request-context.js';
import { householdMover } from './household-mover.js';
import { householdReader } from './household-reader.js';

/**
 * Households: moving a person to another or a new household (a write, idempotent and audited)
 * and reading a household with its members for a stated purpose (each member audited).
 * Registered by the registry's plugin.
 */
export const householdRoutes: FastifyPluginAsyncTypebox<RegistryWriteDependencies> = async (
  app,
  deps,
) => {
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
        ...requestContext(request),
        personId,
        request: request.body,
      });
      return reply.code(200).send(result.body);
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
      householdReader(deps, {
        ...requestContext(request),
        householdId: request.params.householdId,
      }),
  );
};
