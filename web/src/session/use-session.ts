import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiSend } from '../api/client.js';
import type { Me, OperatorMe } from '../api/types.js';

/**
 * Who is signed in: an operator, a citizen, or nobody (`null`). Asked of `/api/auth/session`,
 * which answers a visitor with `me: null` rather than a 401, so public pages log no failed
 * request in the browser's console.
 *
 * @example
 *   const { me } = useSession();
 *   if (me?.kind === 'operator') …
 */
export function useSession(): { me: Me | null; loading: boolean } {
  const query = useQuery({
    queryKey: ['me'],
    queryFn: async () => (await apiGet<{ me: Me | null }>('/api/auth/session')).me,
    staleTime: 60_000,
  });
  return { me: query.data ?? null, loading: query.isPending };
}

/** The signed-in operator, or null for citizens and visitors. */
export function useOperator(): OperatorMe | null {
  const { me } = useSession();
  return me?.kind === 'operator' ? me : null;
}

/** Signs out and forgets every cached answer, so nothing of the session stays on screen. */
export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => apiSend('POST', '/api/auth/sign-out'),
    onSettled: () => {
      sessionStorage.clear();
      client.clear();
      client.setQueryData(['me'], null);
    },
  });
}
