import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { apiGet, withQuery } from '../../api/client.js';
import type { AccessHistory, AuditKeys, Purpose } from '../../api/types.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { HeadMemoryBanner } from './head-memory-banner.js';
import { HistoryGroupList } from './history-group-list.js';
import { type LineVerdict, verifyHistory } from './verify-history.js';

/**
 * "Who looked at this record and why", grouped by day and by who looked, each line verified
 * in the browser against the signed tree head (safeguard 4). Used by the person (purpose
 * `self`) and by auditors (purpose `audit`).
 */
export function AccessHistoryView({ personId, purpose }: { personId: string; purpose: Purpose }) {
  const { t } = useTranslation();
  const keys = useQuery({
    queryKey: ['audit-keys'],
    queryFn: () => apiGet<AuditKeys>('/api/audit/keys'),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const history = useInfiniteQuery({
    queryKey: ['access-history', personId, purpose],
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }) =>
      apiGet<AccessHistory>(
        withQuery(`/api/persons/${personId}/access-history`, { purpose, cursor: pageParam }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const pages = history.data?.pages ?? [];
  const verdicts = useQuery({
    queryKey: ['access-history-verdicts', personId, purpose, pages.length],
    enabled: keys.data !== undefined && pages.length > 0,
    queryFn: async () => {
      const all = new Map<number, LineVerdict>();
      for (const page of pages) {
        // Keys are loaded: `enabled` waits for them.
        const found = await verifyHistory(page.entries, page.treeHead, keys.data as AuditKeys);
        for (const [index, verdict] of found) all.set(index, verdict);
      }
      return all;
    },
  });
  if (history.isPending) return <p aria-live="polite">{t('common.loading')}</p>;
  if (history.error) return <ProblemNotice error={history.error} />;
  if (keys.error) return <ProblemNotice error={keys.error} />;
  const entries = pages.flatMap((page) => page.entries);
  if (entries.length === 0) return <p>{t('history.empty')}</p>;
  const firstHead = pages[0]?.treeHead;
  return (
    <>
      {firstHead && keys.data ? <HeadMemoryBanner head={firstHead} keys={keys.data} /> : null}
      <HistoryGroupList entries={entries} verdicts={verdicts.data} />
      {history.hasNextPage ? (
        <button
          type="button"
          className="button-secondary"
          onClick={() => void history.fetchNextPage()}
          disabled={history.isFetchingNextPage}
        >
          {t('history.more')}
        </button>
      ) : null}
    </>
  );
}
