import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PublishedCatalogueSchema } from '../../../shared/api/catalogue.js';
import { listCatalogue } from './catalogue.js';

/**
 * `GET /catalogue`, registered under the `/api` prefix: the attributes Amparo may hold, who
 * may read each, and the categories it refuses. Public, because the catalogue is a promise
 * made to the people in the registry and anyone should be able to check it. It is computed
 * once: the catalogue is frozen when the module loads.
 *
 * @example
 *   await app.register(catalogueRoutes, { prefix: '/api' });
 */
export const catalogueRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const published = listCatalogue();
  app.get(
    '/catalogue',
    {
      schema: {
        tags: ['registry'],
        summary: 'The attribute catalogue and the categories Amparo never holds',
        response: { 200: PublishedCatalogueSchema },
      },
    },
    async () => published,
  );
};
