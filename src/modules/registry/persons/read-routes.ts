import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PersonIdParams, PurposeQuery } from '../../../shared/api/params.js';
import { PersonViewSchema, UinParams } from '../schema.js';
import { personReader, type RegistryDependencies } from './person-reader.js';

/**
 * Reading a person (by id or by ID number), registered by the registry's plugin. Every handler goes through a service verb that
 * authorises per record, checks the purpose and audits before returning data.
 */
export const personReadRoutes: FastifyPluginAsyncTypebox<RegistryDependencies> = async (
  app,
  deps,
) => {
  app.get(
    '/persons/:personId',
    {
      schema: {
        tags: ['registry'],
        summary: 'Read a person for a stated purpose (audited)',
        params: PersonIdParams,
        querystring: PurposeQuery,
        response: { 200: PersonViewSchema },
      },
    },
    async (request) =>
      personReader(deps, {
        actor: request.actor,
        lookup: { personId: request.params.personId },
        purpose: request.query.purpose ?? null,
        requestId: request.id,
      }),
  );

  app.get(
    '/persons/by-uin/:uin',
    {
      schema: {
        tags: ['registry'],
        summary: 'Read a person by ID number for a stated purpose (audited)',
        params: UinParams,
        querystring: PurposeQuery,
        response: { 200: PersonViewSchema },
      },
    },
    async (request) =>
      personReader(deps, {
        actor: request.actor,
        lookup: { uin: request.params.uin },
        purpose: request.query.purpose ?? null,
        requestId: request.id,
      }),
  );
};
