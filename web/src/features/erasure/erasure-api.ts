import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Static } from 'typebox';
import {
  type ErasureRequestSchema,
  erasureReasonCodes,
} from '../../../../src/shared/api/erasure.js';
import { apiSend, withQuery } from '../../api/client.js';

/** Legal grounds, the server's own list. */
export const erasureGrounds = erasureReasonCodes;
export type ErasureGround = (typeof erasureGrounds)[number];

/** A request as the API shows it: identifiers, ground and dates, never an attribute. */
export type ErasureRequest = Static<typeof ErasureRequestSchema>;

/** Erasure is decided for purpose `appeal` (docs/ACCESS.md). */
const appeal = { purpose: 'appeal' } as const;

export function useErasureRequest() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: { uin: string; reasonCode: ErasureGround; reference?: string }) =>
      (await apiSend<ErasureRequest>('POST', withQuery('/api/erasure-requests', appeal), body))
        .body,
    onSuccess: () => client.invalidateQueries({ queryKey: ['erasure-requests'] }),
  });
}

/**
 * Approve (executes the erasure at once) or withdraw a pending request. `onDecided` runs
 * before the pending list is reloaded, while the request's own row still exists to call it.
 */
export function useErasureDecision(
  requestId: string,
  onDecided: (decided: ErasureRequest) => void,
) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (verb: 'approve' | 'withdraw') =>
      (
        await apiSend<ErasureRequest>(
          'POST',
          withQuery(`/api/erasure-requests/${requestId}/${verb}`, appeal),
        )
      ).body,
    onSuccess: onDecided,
    onSettled: () => client.invalidateQueries({ queryKey: ['erasure-requests'] }),
  });
}
