import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Static } from 'typebox';
import type { Role } from '../../../../src/shared/access/roles.js';
import type {
  AdminResultSchema,
  OperatorChangeSchema,
  OperatorSchema,
} from '../../../../src/shared/api/operators.js';
import { apiSend, withQuery } from '../../api/client.js';
import type { Narrowed } from '../../api/types.js';

/** A grant waiting for (or decided by) a second administrator. */
export type OperatorChange = Narrowed<Static<typeof OperatorChangeSchema>, 'addRoles', Role[]>;

/** An account as `GET /api/operators` lists it: no secrets. */
export type OperatorAccount = Omit<Static<typeof OperatorSchema>, 'roles' | 'pendingChange'> & {
  roles: Role[];
  pendingChange: OperatorChange | null;
};

/** The half of an enrolment code this administrator may see, in one answer only. */
export type EnrolmentCode = NonNullable<Static<typeof AdminResultSchema>['enrolmentCode']>;

/** The answer of every step that changes an account. */
export interface AdminResult {
  operator: OperatorAccount;
  change: OperatorChange | null;
  enrolmentCode: EnrolmentCode | null;
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
        await apiSend<AdminResult>(
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
    }) => (await apiSend<AdminResult>('POST', operatorsPath, account)).body,
    onSuccess: () => client.invalidateQueries({ queryKey: ['operators'] }),
  });
}

/** Approves or refuses a grant asked by another administrator (or withdraws one's own). */
export function useChangeDecision(changeId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (verb: 'approve' | 'refuse') =>
      (
        await apiSend<AdminResult>(
          'POST',
          withQuery(`/api/operator-changes/${changeId}/${verb}`, { purpose: 'enrolment' }),
          {},
        )
      ).body,
    onSuccess: () => client.invalidateQueries({ queryKey: ['operators'] }),
  });
}
