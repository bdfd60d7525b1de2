import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiSend, withQuery } from '../../api/client.js';

/** Legal grounds, as `src/modules/registry/erasure/tables.ts` lists them. */
export const erasureGrounds = [
  'person_request',
  'court_order',
  'duplicate_of_erased',
  'deceased_retention_expired',
] as const;
export type ErasureGround = (typeof erasureGrounds)[number];

/** A request as the API shows it: identifiers, ground and dates, never an attribute. */
export interface ErasureRequest {
  id: string;
  personId: string;
  uin: string;
  regionCode: string;
  reasonCode: ErasureGround;
  reference: string | null;
  status: 'pending' | 'executed' | 'withdrawn';
  requestedBy: { id: string; username: string };
  requestedAt: string;
  approvedAt: string | null;
  withdrawnAt: string | null;
}

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
