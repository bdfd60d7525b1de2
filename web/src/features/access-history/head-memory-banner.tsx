import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { apiGet, withQuery } from '../../api/client.js';
import type { AuditKeys, TreeHead } from '../../api/types.js';
import { checkShownHead } from './head-memory.js';

/**
 * Warns when the log this browser is shown is shorter than, or does not extend, the largest
 * head it verified on an earlier visit (head-memory.ts). Shows nothing while all is well.
 */
export function HeadMemoryBanner({ head, keys }: { head: TreeHead; keys: AuditKeys }) {
  const { t } = useTranslation();
  const verdict = useQuery({
    queryKey: ['head-memory', head.treeSize, head.rootHash],
    staleTime: Number.POSITIVE_INFINITY,
    queryFn: () =>
      checkShownHead(head, keys, {
        storage: localStorage,
        fetchProof: async (from, to) =>
          (
            await apiGet<{ proof: string[] }>(
              withQuery('/api/audit/proofs/consistency', { from, to }),
            )
          ).proof,
      }),
  });
  const state = verdict.data?.state;
  if (state !== 'rolled_back' && state !== 'inconsistent') return null;
  return (
    <p className="notice notice-error" role="alert" data-testid="head-memory" data-state={state}>
      {t(`history.headMemory.${state}`)}
    </p>
  );
}
