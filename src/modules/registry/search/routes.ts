import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RegistryWriteDependencies } from '../persons/person-writer.js';
import { SearchAnswerSchema, SearchQuerySchema } from '../persons/write-schema.js';
import { requestContext } from '../request-context.js';
import { personSearch } from './person-search.js';

/**
 * Person search by ID number, name, household or phone: paginated, each result audited and
 * counted against the read quota. Registered by the registry's plugin.
 */
export const searchRoutes: FastifyPluginAsyncTypebox<RegistryWriteDependencies> = async (
  app,
  deps,
) => {
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
      return personSearch(deps, { ...requestContext(request), query });
    },
  );
};
