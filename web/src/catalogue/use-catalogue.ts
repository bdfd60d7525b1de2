import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../api/client.js';
import type { Catalogue } from '../api/types.js';

/**
 * The published attribute catalogue (`GET /api/catalogue`): what a record may hold, its
 * type and constraints. Static for the server's lifetime, so it is fetched once.
 */
export function useCatalogue() {
  return useQuery({
    queryKey: ['catalogue'],
    queryFn: () => apiGet<Catalogue>('/api/catalogue'),
    staleTime: Number.POSITIVE_INFINITY,
  });
}
