import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PurposeQuery } from '../../../shared/api/params.js';
import { assistedIdentities } from '../../registry/index.js';
import { nowOf, type PaymentsDependencies } from '../payments-context.js';
import { keysOf } from './merchant-keys.js';
import { Uuid } from './merchant-schemas.js';
import { CheckParams, pinStep } from './pin-gate.js';
import { pinCheckAwaiting, pinCheckRefuser } from './pin-second-check.js';

/**
 * The second operator's side of a two-person PIN check (docs/PAYMENTS-PIN.md): the photo on
 * file, to compare with the person at the counter, shown only for a check waiting for this
 * operator (not one they started); and the refusal, which fails the check for good. Both are
 * gated by `payment.pin_approve` on the person and audited on them; the photo counts as a read
 * of the person (the read quota) and names the photo in the entry.
 */
export const pinApproverRoutes: FastifyPluginAsyncTypebox<PaymentsDependencies> = async (
  app,
  deps,
) => {
  const tags = ['merchants'];

  app.get(
    '/payments/persons/:personId/pin-checks/:checkId/photo',
    {
      schema: {
        tags,
        summary:
          'The photo on file of the person of a two-person PIN check waiting for you (not yours), to compare before approving (audited on the person)',
        params: CheckParams,
        querystring: PurposeQuery,
        response: {
          200: Type.Object({ checkId: Uuid, photo: Type.Union([Type.String(), Type.Null()]) }),
        },
      },
    },
    async (request) => {
      const { personId, checkId } = request.params;
      const photo = await pinStep(
        deps,
        request,
        'payment.pin_approve',
        personId,
        async (operatorId) => {
          await pinCheckAwaiting(deps.db, { personId, checkId, operatorId, now: nowOf(deps) });
          return assistedIdentities(keysOf(deps).masterKey).photoOf(deps.db, personId);
        },
        { fields: (shown) => (shown === null ? [] : ['photo']), countsAsPersonRead: true },
      );
      return { checkId, photo };
    },
  );

  app.post(
    '/payments/persons/:personId/pin-checks/:checkId/refusal',
    {
      schema: {
        tags,
        summary:
          "Refuse another operator's two-person PIN check (the person does not match the photo): it fails for good (audited on the person)",
        params: CheckParams,
        querystring: PurposeQuery,
        body: Type.Object({}, { additionalProperties: false }),
        response: { 200: Type.Object({ checkId: Uuid, refused: Type.Boolean() }) },
      },
    },
    async (request) => {
      const { personId, checkId } = request.params;
      await pinStep(
        deps,
        request,
        'payment.pin_approve',
        personId,
        (operatorId) =>
          pinCheckRefuser(deps.db, { personId, checkId, operatorId, now: nowOf(deps) }),
        { fields: () => ['payment_pin_check'] },
      );
      return { checkId, refused: true };
    },
  );
};
