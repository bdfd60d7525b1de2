import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { LookupAnswerSchema, RedemptionAnswerSchema } from '../../../shared/api/distribution.js';
import { PurposeQuery } from '../../../shared/api/params.js';
import type { DistributionDependencies } from '../distribution-context.js';
import { contextOf } from '../routes.js';
import { LookupBody, PointIdParams, RedemptionBody } from '../schema.js';
import { receiptKeyFrom } from './receipt.js';
import { RedemptionBatcher } from './redemption-batch.js';
import { cardRedeemer, entitlementLookup } from './redemption-service.js';

/** Redemption with the card (issue #15, point 3), and the key that verifies receipts. */
export const redemptionRoutes: FastifyPluginAsyncTypebox<DistributionDependencies> = async (
  app,
  deps,
) => {
  const tags = ['distribution'];
  const batcher = new RedemptionBatcher(deps);
  app.post(
    '/distribution/points/:pointId/entitlement-lookups',
    {
      schema: {
        tags,
        summary:
          "Scan a card: the holder's open entitlements at this point, what remains (audited)",
        params: PointIdParams,
        querystring: PurposeQuery,
        body: LookupBody,
        response: { 200: LookupAnswerSchema },
      },
    },
    async (request, reply) =>
      reply
        .header('cache-control', 'no-store')
        .send(
          await entitlementLookup(deps, contextOf(request), request.params.pointId, request.body),
        ),
  );

  app.post(
    '/distribution/points/:pointId/redemptions',
    {
      schema: {
        tags,
        summary: 'Redeem all or part of an entitlement with the card (idempotent; audited)',
        params: PointIdParams,
        querystring: PurposeQuery,
        body: RedemptionBody,
        response: { 201: RedemptionAnswerSchema },
      },
    },
    async (request, reply) => {
      const result = await cardRedeemer(
        deps,
        contextOf(request),
        request.params.pointId,
        request.body,
        batcher,
      );
      return reply.code(201).header('cache-control', 'no-store').send(result.body);
    },
  );

  const key = receiptKeyFrom(deps.keys.masterKey);
  app.get(
    '/distribution/receipt-key',
    {
      schema: {
        tags,
        summary: 'The public key that verifies redemption receipts (public)',
        response: {
          200: Type.Object({ alg: Type.Literal('EdDSA'), publicKey: Type.String() }),
        },
      },
    },
    async (_request, reply) =>
      reply
        .header('cache-control', 'public, max-age=300')
        .send({ alg: 'EdDSA' as const, publicKey: key.publicKeyBase64 }),
  );
};
