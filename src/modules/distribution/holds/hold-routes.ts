import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  EntitlementHoldBody,
  EntitlementHoldLiftBody,
  EntitlementHoldListSchema,
  EntitlementHoldStatusSchema,
  PersonEntitlementHoldListSchema,
} from '../../../shared/api/entitlement-holds.js';
import { PersonIdParams, PurposeQuery } from '../../../shared/api/params.js';
import type { DistributionDependencies } from '../distribution-context.js';
import { contextOf } from '../routes.js';
import {
  entitlementHolder,
  entitlementHoldLifter,
  entitlementHoldsLister,
  personEntitlementHolds,
} from './hold-service.js';

/**
 * A supervisor's hold on one entitlement (docs/DISTRIBUTION.md, "Holds"): place, lift, list
 * (`distribution.entitlement_hold`); and the person's own view of the holds on their
 * entitlements (`person.benefits`: the reason code, never the note).
 */
export const holdRoutes: FastifyPluginAsyncTypebox<DistributionDependencies> = async (
  app,
  deps,
) => {
  const tags = ['distribution'];
  app.post(
    '/distribution/entitlement-holds',
    {
      schema: {
        tags,
        summary: 'Hold one entitlement for review, with a reason; lapses by itself (audited)',
        querystring: PurposeQuery,
        body: EntitlementHoldBody,
        response: { 201: Type.Object({ holdId: Type.String(), lapsesAt: Type.String() }) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await entitlementHolder(deps, contextOf(request), request.body)),
  );

  app.post(
    '/distribution/entitlement-holds/:holdId/lift',
    {
      schema: {
        tags,
        summary: 'Lift a hold in force: the entitlement is redeemable again (audited)',
        params: Type.Object({ holdId: Type.String() }),
        querystring: PurposeQuery,
        body: EntitlementHoldLiftBody,
        response: { 200: Type.Object({ status: EntitlementHoldStatusSchema }) },
      },
    },
    async (request) =>
      entitlementHoldLifter(deps, contextOf(request), request.params.holdId, request.body),
  );

  app.get(
    '/distribution/entitlement-holds',
    {
      schema: {
        tags,
        summary: 'The holds placed in your regions, newest first (audited)',
        querystring: PurposeQuery,
        response: { 200: EntitlementHoldListSchema },
      },
    },
    async (request) => ({ holds: await entitlementHoldsLister(deps, contextOf(request)) }),
  );

  app.get(
    '/persons/:personId/entitlement-holds',
    {
      schema: {
        tags,
        summary: "The holds on a person's entitlements and their reason codes (audited)",
        params: PersonIdParams,
        querystring: PurposeQuery,
        response: { 200: PersonEntitlementHoldListSchema },
      },
    },
    async (request) => ({
      holds: await personEntitlementHolds(deps, contextOf(request), request.params.personId),
    }),
  );
};
