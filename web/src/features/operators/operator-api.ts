import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Role } from '../../../../src/modules/access/roles.js';
import { apiSend, withQuery } from '../../api/client.js';

/** An account as `GET /api/operators` lists it: no secrets. */
export interface OperatorAccount {
  id: string;
  username: string;
  displayName: string;
  roles: Role[];
  regions: string[];
  createdAt: string;
  disabledAt: string | null;
}

/** First (or reset) credentials: in one answer only, never stored in clear. */
export interface ShownCredentials {
  password: string;
  totpSecretBase32: string;
  otpauthUri: string;
}

export interface AccountChange {
  roles?: Role[];
  regions?: string[];
  disabled?: boolean;
  resetCredentials?: true;
}

/** Account administration is `operator.manage`, decided for purpose `enrolment` (docs/ACCESS.md). */
export const operatorsPath = withQuery('/api/operators', { purpose: 'enrolment' });

/**
 * Creates an account or changes one; the list reloads afterwards.
 *
 * @example
 *   const change = useAccountChange(id); change.mutate({ disabled: true });
 */
export function useAccountChange(operatorId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (change: AccountChange) =>
      (
        await apiSend<{ operator: OperatorAccount; credentials: ShownCredentials | null }>(
          'POST',
          withQuery(`/api/operators/${operatorId}/changes`, { purpose: 'enrolment' }),
          change,
        )
      ).body,
    onSuccess: () => client.invalidateQueries({ queryKey: ['operators'] }),
  });
}

export function useAccountCreation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (account: {
      username: string;
      displayName: string;
      roles: Role[];
      regions: string[];
    }) =>
      (
        await apiSend<{ operator: OperatorAccount; credentials: ShownCredentials }>(
          'POST',
          operatorsPath,
          account,
        )
      ).body,
    onSuccess: () => client.invalidateQueries({ queryKey: ['operators'] }),
  });
}
