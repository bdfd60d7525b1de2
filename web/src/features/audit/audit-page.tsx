import { useMutation, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { apiGet, withQuery } from '../../api/client.js';
import type { Alert, TreeHead } from '../../api/types.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { AuditEntries } from './audit-entries.js';
import { checkLogNow, type LogCheckReport, lastCheckedHead } from './check-log.js';

/** How many recent tree heads the page lists. */
const headsShown = 10;

/**
 * For auditors: the latest signed tree heads, the alerts (bulk reading, refused access), a
 * "verify now" that checks in this browser that the log only ever grew, and the log's entries.
 */
export function AuditPage() {
  const { t } = useTranslation();
  return (
    <section>
      <PageHeading>{t('audit.title')}</PageHeading>
      <VerifyNow />
      <TreeHeads />
      <Alerts />
      <AuditEntries />
    </section>
  );
}

function VerifyNow() {
  const { t } = useTranslation();
  const format = useFormat();
  const check = useMutation({ mutationFn: checkLogNow });
  const last = lastCheckedHead();
  return (
    <section aria-labelledby="verify-heading" className="panel">
      <h2 id="verify-heading">{t('audit.verify.title')}</h2>
      <p className="hint">{t('audit.verify.explain')}</p>
      {last ? (
        <p>
          {t('audit.verify.last', {
            size: format.number(last.treeSize),
            date: format.dateTime(last.timestampMs),
          })}
        </p>
      ) : null}
      <button type="button" onClick={() => check.mutate()} disabled={check.isPending}>
        {check.isPending ? t('common.wait') : t('audit.verify.button')}
      </button>
      <div aria-live="polite">
        {check.data ? <CheckReport report={check.data} /> : null}
        {check.error ? <ProblemNotice error={check.error} /> : null}
      </div>
    </section>
  );
}

function CheckReport({ report }: { report: LogCheckReport }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <div
      className={`notice ${report.ok ? 'notice-ok' : 'notice-error'}`}
      data-testid="log-check"
      data-ok={String(report.ok)}
    >
      <p>
        <strong>{report.ok ? t('audit.verify.ok') : t('audit.verify.bad')}</strong>{' '}
        {t('audit.verify.range', {
          from: format.number(report.from.treeSize),
          to: format.number(report.to.treeSize),
        })}
      </p>
      <ul>
        {report.steps.map((step) => (
          <li key={step.step}>
            <span aria-hidden="true">{step.ok ? '✓ ' : '✗ '}</span>
            {t(`audit.verify.step.${step.step}`)}: {step.ok ? t('common.yes') : t('common.no')}
          </li>
        ))}
      </ul>
    </div>
  );
}

function TreeHeads() {
  const { t } = useTranslation();
  const format = useFormat();
  const latest = useQuery({
    queryKey: ['tree-head-latest'],
    queryFn: () => apiGet<TreeHead>('/api/audit/tree-heads/latest'),
  });
  const from = Math.max(0, (latest.data?.treeSize ?? 0) - 10_000);
  const heads = useQuery({
    queryKey: ['tree-heads', from],
    enabled: latest.data !== undefined,
    queryFn: () =>
      apiGet<{ treeHeads: TreeHead[] }>(withQuery('/api/audit/tree-heads', { from, limit: 100 })),
  });
  const shown = (heads.data?.treeHeads ?? []).slice(-headsShown).reverse();
  return (
    <section aria-labelledby="heads-heading">
      <h2 id="heads-heading">{t('audit.heads.title')}</h2>
      {latest.error ? <ProblemNotice error={latest.error} /> : null}
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('audit.heads.size')}</th>
              <th scope="col">{t('audit.heads.signedAt')}</th>
              <th scope="col">{t('audit.heads.root')}</th>
              <th scope="col">{t('audit.heads.key')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((head) => (
              <tr key={head.treeSize}>
                <td>{format.number(head.treeSize)}</td>
                <td>{format.dateTime(head.timestampMs)}</td>
                <td className="mono hash">{head.rootHash}</td>
                <td className="mono">{head.keyId}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Alerts() {
  const { t } = useTranslation();
  const format = useFormat();
  const alerts = useQuery({
    queryKey: ['alerts'],
    queryFn: () => apiGet<{ alerts: Alert[] }>(withQuery('/api/alerts', { purpose: 'audit' })),
  });
  return (
    <section aria-labelledby="alerts-heading">
      <h2 id="alerts-heading">{t('audit.alerts.title')}</h2>
      {alerts.error ? <ProblemNotice error={alerts.error} /> : null}
      {alerts.data?.alerts.length === 0 ? <p>{t('audit.alerts.none')}</p> : null}
      <ul className="alerts">
        {alerts.data?.alerts.map((alert) => (
          <li key={alert.id}>
            <strong>{t(`audit.alerts.kind.${alert.kind}`, { defaultValue: alert.kind })}</strong> ·{' '}
            {format.dateTime(alert.createdAt)}
            <pre className="mono details">{JSON.stringify(alert.details, null, 2)}</pre>
          </li>
        ))}
      </ul>
    </section>
  );
}
