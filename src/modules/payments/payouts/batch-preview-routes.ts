import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { limits } from '../../../limits.js';
import { PurposeQuery } from '../../../shared/api/params.js';
import { contextOf } from '../payments-context.js';
import { payoutCyclePreview, payoutCyclesLister } from './batch-preview.js';
import type { PayoutDependencies } from './payout-gate.js';
import { ExclusionReason } from './payout-schema.js';

const Uuid = Type.String({ format: 'uuid' });
const Minor = Type.String({ pattern: '^[0-9]{1,20}$', description: 'minor units, as text' });
const Names = Type.Union([Type.Object({ es: Type.String(), en: Type.String() }), Type.Null()]);

const PayoutCyclesSchema = Type.Object({
  cycles: Type.Array(
    Type.Object({
      cycleId: Uuid,
      programId: Uuid,
      programName: Names,
      status: Type.String({
        description: '`published`, or `approved`: previewed only, no batch until it is published',
      }),
      referenceDate: Type.String(),
      currency: Type.Union([Type.Literal('VES'), Type.Literal('USD')]),
    }),
  ),
});

const PayoutPreviewSchema = Type.Object({
  cycleId: Uuid,
  programId: Uuid,
  currency: Type.Union([Type.Literal('VES'), Type.Literal('USD')]),
  openCount: Type.Integer({ description: "The cycle's open cash entitlements" }),
  alreadyPaidCount: Type.Integer({
    description: 'Of them, those already in a live payout or credited to a wallet',
  }),
  leftForNextBatch: Type.Integer({
    description: 'Unpaid ones beyond one file (paymentsPerFileMax): a later batch pays them',
  }),
  payable: Type.Array(Type.Object({ entitlementId: Uuid, amountMinor: Minor }), {
    description: 'What the batch would name: every unpaid open cash entitlement of the cycle',
  }),
  includedCount: Type.Integer(),
  includedAmountMinor: Minor,
  excludedCount: Type.Integer({
    description: 'Of the payable ones, those the batch would leave out (no usable payee account)',
  }),
  excluded: Type.Array(
    Type.Object({
      entitlementId: Uuid,
      personId: Uuid,
      amountMinor: Minor,
      reason: ExclusionReason,
      heldUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    }),
    {
      maxItems: limits.payouts.previewExclusionsListedMax,
      description:
        'The first of those left out, in person order (previewExclusionsListedMax); excludedCount counts them all',
    },
  ),
});

/**
 * Before a payout batch is made (issue #16): the cycles one may be made of, and what a batch of
 * every unpaid open cash entitlement of one cycle would pay and leave out (`payout.manage`).
 */
export const payoutPreviewRoutes: FastifyPluginAsyncTypebox<PayoutDependencies> = async (
  app,
  deps,
) => {
  const tags = ['payouts'];
  app.get(
    '/payouts/cycles',
    {
      schema: {
        tags,
        summary:
          'The approved and published cash cycles a payout batch may be previewed of; a batch pays published ones only (audited)',
        querystring: PurposeQuery,
        response: { 200: PayoutCyclesSchema },
      },
    },
    async (request) => ({ cycles: await payoutCyclesLister(deps, contextOf(request)) }),
  );

  app.get(
    '/payouts/cycles/:cycleId/preview',
    {
      schema: {
        tags,
        summary:
          "What a batch of the cycle's unpaid open cash entitlements would pay and leave out, and why; no account opened (audited)",
        params: Type.Object({ cycleId: Uuid }),
        querystring: PurposeQuery,
        response: { 200: PayoutPreviewSchema },
      },
    },
    async (request) => {
      const preview = await payoutCyclePreview(deps, contextOf(request), request.params.cycleId);
      return {
        ...preview,
        payable: preview.payable.map((item) => ({
          ...item,
          amountMinor: item.amountMinor.toString(),
        })),
        includedAmountMinor: preview.includedAmountMinor.toString(),
        excluded: preview.excluded.map((item) => ({
          ...item,
          amountMinor: item.amountMinor.toString(),
          heldUntil: item.heldUntil?.toISOString() ?? null,
        })),
      };
    },
  );
};
