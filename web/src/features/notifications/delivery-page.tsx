import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { apiGet, withQuery } from '../../api/client.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { purposesFor } from '../../session/permissions.js';
import { useOperator } from '../../session/use-session.js';

interface DeliveryDay {
  day: string;
  provider: string;
  sent: number;
  delivered: number;
  failed: number;
  expired: number;
  waiting: number;
}

interface FailedMessage {
  id: string;
  queuedAt: string;
  provider: string | null;
  templateId: string;
  regionCode: string;
  failureReason: string | null;
  text: string | null;
}

interface Dashboard {
  from: string;
  to: string;
  days: DeliveryDay[];
  failed: FailedMessage[];
}

const counts = ['sent', 'delivered', 'failed', 'expired', 'waiting'] as const;

/**
 * The operators' delivery dashboard (issue 14, point 7): text messages by day and provider in
 * the operator's regions, and the latest failed ones — which message and why; the words only
 * when the server sends them (an auditor). Purpose: audit for an auditor, else enrolment.
 */
export function DeliveryPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const operator = useOperator();
  const purpose = purposesFor(operator?.roles ?? [], 'notification.dashboard')[0] ?? 'audit';
  const view = useQuery({
    queryKey: ['delivery-dashboard', purpose],
    queryFn: () =>
      apiGet<Dashboard>(withQuery('/api/notifications/dashboard', { purpose, days: '14' })),
  });
  return (
    <section>
      <PageHeading>{t('delivery.title')}</PageHeading>
      {view.isPending ? <p aria-live="polite">{t('common.loading')}</p> : null}
      {view.error ? <ProblemNotice error={view.error} /> : null}
      {view.data ? (
        <>
          <p>
            {t('delivery.period', {
              from: format.date(view.data.from),
              to: format.date(view.data.to),
            })}
          </p>
          {view.data.days.length === 0 ? <p>{t('delivery.none')}</p> : null}
          {/* A table wider than a phone scrolls on its own; the keyboard reaches it too. */}
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus (axe scrollable-region-focusable) */}
          <section className="table-scroll" tabIndex={0} aria-label={t('delivery.byDay')}>
            <table data-testid="delivery-days">
              <caption>{t('delivery.byDay')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('delivery.day')}</th>
                  <th scope="col">{t('delivery.provider')}</th>
                  {counts.map((name) => (
                    <th scope="col" key={name}>
                      {t(`delivery.count.${name}`)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {view.data.days.map((line) => (
                  <tr key={`${line.day}-${line.provider}`}>
                    <th scope="row">{format.date(line.day)}</th>
                    <td>{line.provider === 'none' ? t('delivery.noProvider') : line.provider}</td>
                    {counts.map((name) => (
                      <td key={name}>{format.number(line[name])}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <h2>{t('delivery.failedTitle')}</h2>
          {view.data.failed.length === 0 ? <p>{t('delivery.noneFailed')}</p> : null}
          <ul className="card-list" data-testid="delivery-failed">
            {view.data.failed.map((line) => (
              <li key={line.id}>
                <p>
                  {format.dateTime(line.queuedAt)} · {line.regionCode} ·{' '}
                  {line.provider ?? t('delivery.noProvider')} ·{' '}
                  {t('delivery.reason', { reason: line.failureReason ?? '—' })}
                </p>
                <p>
                  {line.text === null ? (
                    <em>{t('delivery.hidden', { template: line.templateId })}</em>
                  ) : (
                    line.text
                  )}
                </p>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
