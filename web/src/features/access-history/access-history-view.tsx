import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { apiGet, withQuery } from '../../api/client.js';
import type { AccessHistory, AccessHistoryEntry, AuditKeys, Purpose } from '../../api/types.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { divisionName } from '../../geography/divisions.js';
import { type Formatters, useFormat } from '../../i18n/format.js';
import { HeadMemoryBanner } from './head-memory-banner.js';
import { type LineVerdict, verifyHistory } from './verify-history.js';

/**
 * "Who looked at this record and why", one plain sentence per access, each verified in the
 * browser against the signed tree head (safeguard 4). Used by the person (purpose `self`)
 * and by auditors (purpose `audit`).
 */
export function AccessHistoryView({ personId, purpose }: { personId: string; purpose: Purpose }) {
  const { t } = useTranslation();
  const format = useFormat();
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
      <ol className="history" data-testid="access-history">
        {entries.map((entry) => (
          <li key={entry.leafIndex} className="history-line">
            <p>{describeAccess(entry, t, format)}</p>
            <VerdictBadge verdict={verdicts.data?.get(entry.leafIndex)} />
          </li>
        ))}
      </ol>
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

function VerdictBadge({ verdict }: { verdict: LineVerdict | undefined }) {
  const { t } = useTranslation();
  if (verdict === undefined) {
    return <span className="badge badge-pending">{t('history.checking')}</span>;
  }
  if (verdict.ok) {
    return (
      <span className="badge badge-ok" data-verified="true">
        <span aria-hidden="true">✓ </span>
        {t('history.verified')}
      </span>
    );
  }
  return (
    <span className="badge badge-bad" role="alert" data-verified="false">
      <span aria-hidden="true">⚠ </span>
      {t(`history.failed.${verdict.reason}`)}
    </span>
  );
}

/**
 * One access in plain words, e.g. "23 Nov 2026, 04:11 — An enrolment clerk in Distrito
 * Capital looked at your record, to enrol or update a person."
 */
export function describeAccess(entry: AccessHistoryEntry, t: TFunction, format: Formatters) {
  const who =
    entry.actorKind === 'citizen'
      ? t('history.who.citizen')
      : entry.actorKind === 'system'
        ? t('history.who.system')
        : t('history.who.operator', {
            role: t(`role.${entry.role ?? 'unknown'}`, { defaultValue: entry.role ?? '' }),
          });
  const where = entry.region ? t('history.where', { region: divisionName(entry.region) }) : '';
  const what = t(`history.action.${entry.action}`, {
    defaultValue: t('history.action.other', { action: entry.action }),
  });
  const why = entry.purpose
    ? t('history.why', { purpose: t(`purpose.describe.${entry.purpose}`) })
    : '';
  const sentence =
    entry.outcome === 'denied'
      ? t('history.deniedSentence', { who, where, what, why })
      : t('history.sentence', { who, where, what, why });
  return `${format.dateTime(entry.time)} — ${sentence}`;
}
