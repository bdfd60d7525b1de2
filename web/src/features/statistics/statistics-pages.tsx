import { useTranslation } from 'react-i18next';
import { PageHeading } from '../../components/page-heading.js';
import { StatisticsView } from './statistics-view.js';

/** The statistics analysts' dashboard (issue #17, point 5): every table, audited reads. */
export function StatisticsDashboardPage() {
  const { t } = useTranslation();
  return (
    <section>
      <PageHeading>{t('statistics.dashboardTitle')}</PageHeading>
      <p>{t('statistics.dashboardLead')}</p>
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
