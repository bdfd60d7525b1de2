import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { StatisticsRefreshStatus } from '../../../../src/shared/api/statistics.js';
import { apiGet } from '../../api/client.js';
import { PageHeading } from '../../components/page-heading.js';
import { useFormat } from '../../i18n/format.js';
import { StatisticsView } from './statistics-view.js';

/** The statistics analysts' dashboard (issue #17, point 5): every table, audited reads. */
export function StatisticsDashboardPage() {
  const { t } = useTranslation();
  return (
    <section>
      <PageHeading>{t('statistics.dashboardTitle')}</PageHeading>
      <p>{t('statistics.dashboardLead')}</p>
      <RefreshLine />
      <StatisticsView source="analyst" />
    </section>
  );
}

/** Open data: the tables marked public, for anyone, without signing in. */
export function OpenDataPage() {
  const { t } = useTranslation();
  return (
    <section>
      <PageHeading>{t('statistics.openDataTitle')}</PageHeading>
      <p>{t('statistics.openDataLead')}</p>
      <StatisticsView source="open" />
    </section>
  );
}

/** An interval in the largest whole unit: 1 day, 6 hours, 15 minutes, 30 seconds. */
function intervalWords(t: ReturnType<typeof useTranslation>['t'], seconds: number): string {
  for (const [unit, size] of [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ] as const) {
    if (seconds % size === 0) return t(`statistics.every.${unit}`, { count: seconds / size });
  }
  return t('statistics.every.second', { count: seconds });
}

/**
 * The refresh schedule and the last refresh (issue #17, "on a schedule"): when it ran, how it
 * ended, and how often this server refreshes. Announced politely when it changes.
 */
function RefreshLine() {
  const { t } = useTranslation();
  const format = useFormat();
  const status = useQuery({
    queryKey: ['statistics-refresh'],
    queryFn: () =>
      apiGet<StatisticsRefreshStatus>('/api/statistics/refresh?purpose=eligibility_review'),
  });
  if (status.data === undefined) return null;
  const { everySeconds, running, lastStartedAt, lastFinishedAt, lastOutcome } = status.data;
  const schedule =
    everySeconds === null
      ? t('statistics.refresh.noSchedule')
      : t('statistics.refresh.schedule', { every: intervalWords(t, everySeconds) });
  const last = running
    ? t('statistics.refresh.running', { date: format.dateTime(lastStartedAt ?? '') })
    : lastFinishedAt === null || lastOutcome === null
      ? t('statistics.refresh.never')
      : t(`statistics.refresh.${lastOutcome}`, { date: format.dateTime(lastFinishedAt) });
  return (
    <p data-testid="statistics-refresh" aria-live="polite">
      {last} {schedule}
    </p>
  );
}
