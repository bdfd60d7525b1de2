import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ProofKeyListSchema,
  ProofKeyRotationBody,
  ProofKeyRotationSchema,
} from '../../../shared/api/card-proof-key.js';
import { PurposeQuery } from '../../../shared/api/params.js';
import type { DistributionDependencies } from '../distribution-context.js';
import { contextOf } from '../routes.js';
import { consoleProofKeyRotator, proofKeysLister } from './proof-key-admin.js';

/** The offline card-proof key's versions and its rotation, for administrators (docs/ACCESS.md). */
export const proofKeyRoutes: FastifyPluginAsyncTypebox<DistributionDependencies> = async (
  app,
  deps,
) => {
  const tags = ['distribution'];
  app.get(
    '/distribution/card-proof-key',
    {
      schema: {
        tags,
        summary:
          "The offline card-proof key's versions, newest first: made when, retired when, open until when, state — never key material (administrator; audited)",
        querystring: PurposeQuery,
        response: { 200: ProofKeyListSchema },
      },
    },
    async (request, reply) =>
      reply
        .header('cache-control', 'no-store')
        .send(await proofKeysLister(deps, contextOf(request))),
  );

  app.post(
    '/distribution/card-proof-key/rotations',
    {
      schema: {
        tags,
        summary:
          'Make the next card-proof key version current for new snapshots, as `amparo keys rotate-card-proof` does; 409 if currentVersion is no longer current (administrator; audited)',
        querystring: PurposeQuery,
        body: ProofKeyRotationBody,
        response: { 201: ProofKeyRotationSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await consoleProofKeyRotator(deps, contextOf(request), request.body)),
  );
};
