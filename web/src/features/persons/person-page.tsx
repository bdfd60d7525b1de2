import { useMutation, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { apiGet, apiSend, withQuery } from '../../api/client.js';
import type { PersonRecord, Purpose } from '../../api/types.js';
import { fullName } from '../../catalogue/attribute-value.js';
import { AttributeList } from '../../components/attribute-list.js';
import { PageHeading } from '../../components/page-heading.js';
import { citizenAddress, PrintButton } from '../../components/print-button.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { divisionName } from '../../geography/divisions.js';
import { useFormat } from '../../i18n/format.js';
import { may, purposesFor } from '../../session/permissions.js';
import { useOperator } from '../../session/use-session.js';
import { AccessHistoryView } from '../access-history/access-history-view.js';
import { StaffPinPanel } from '../payments/staff-pin-panel.js';
import { WalletPanel } from '../payments/wallet-panel.js';
import { CardPanel } from './card-panel.js';
import { RecordChanges } from './changes/record-changes.js';
import { PurposeGate } from './purpose-picker.js';

/**
 * One person's record. Nothing is read until the operator has said why (the purpose goes
 * into the address, the request and the audit entry).
 */
export function PersonPage() {
  const { t } = useTranslation();
  const { personId = '' } = useParams();
  return (
    <PurposeGate title={t('person.openTitle')}>
      {(purpose) => <PersonRecordView personId={personId} purpose={purpose} />}
    </PurposeGate>
  );
}

function PersonRecordView({ personId, purpose }: { personId: string; purpose: Purpose }) {
  const { t } = useTranslation();
  const format = useFormat();
  const operator = useOperator();
  const roles = operator?.roles ?? [];
  const query = useQuery({
    queryKey: ['person', personId, purpose],
    queryFn: () => apiGet<PersonRecord>(withQuery(`/api/persons/${personId}`, { purpose })),
  });
  if (query.isPending) return <p aria-live="polite">{t('common.loading')}</p>;
  if (query.error) return <ProblemNotice error={query.error} />;
  const person = query.data;
  return (
    <article>
      <PageHeading>{fullName(person.attributes) || person.uin}</PageHeading>
      <p className="purpose-banner" data-testid="purpose-banner">
        {t('person.readFor', { purpose: t(`purpose.name.${purpose}`) })}
      </p>
      <dl className="summary">
        <div>
          <dt>{t('person.uin')}</dt>
          <dd className="mono">{person.uin}</dd>
        </div>
        <div>
          <dt>{t('person.status')}</dt>
          <dd>{t(`status.${person.status}`)}</dd>
        </div>
        <div>
          <dt>{t('person.region')}</dt>
          <dd>{divisionName(person.regionCode)}</dd>
        </div>
        <div>
          <dt>{t('person.version')}</dt>
          <dd>
            {t('person.versionOf', {
              version: format.number(person.version),
              date: format.dateTime(person.updatedAt),
            })}
          </dd>
        </div>
        {person.household ? (
          <div>
            <dt>{t('person.household')}</dt>
            <dd>
              <Link to={withQuery(`/households/${person.household.id}`, { purpose })}>
                {t('person.householdLink', {
                  relationship: t(`relationship.${person.household.relationship}`),
                })}
              </Link>
            </dd>
          </div>
        ) : null}
      </dl>
      <h2>{t('person.attributes')}</h2>
      <AttributeList attributes={person.attributes} />
      <CardPanel
        personId={person.id}
        purpose={purpose}
        canIssue={
          purposesFor(roles, 'credential.issue').includes(purpose) && person.status === 'active'
        }
        canDownload={purposesFor(roles, 'credential.download').includes(purpose)}
        canRevoke={purposesFor(roles, 'credential.revoke').includes(purpose)}
      />
      <RecordChanges person={person} purpose={purpose} roles={roles} />
      {may(roles, 'citizen_code.issue') ? <SlipCode personId={person.id} /> : null}
      {may(roles, 'payment.pin_reset') && person.status === 'active' ? (
        <StaffPinPanel personId={person.id} photo={photoOf(person)} />
      ) : null}
      {purposesFor(roles, 'payment.wallet_read').includes(purpose) ? (
        <WalletPanel personId={person.id} purpose={purpose} />
      ) : null}
      {purposesFor(roles, 'person.access_history').includes('audit') ? (
        <section aria-labelledby="history-heading">
          <h2 id="history-heading">{t('history.auditTitle')}</h2>
          <AccessHistoryView personId={person.id} purpose="audit" />
        </section>
      ) : null}
    </article>
  );
}

/** The photo on file, for the clerk to compare before a PIN is set without a phone. */
function photoOf(person: PersonRecord): string | null {
  const photo = person.attributes.photo;
  return typeof photo === 'string' && photo !== '' ? photo : null;
}

/** A clerk prints a one-time sign-in code for the person at the counter (purpose self). */
function SlipCode({ personId }: { personId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const issue = useMutation({
    mutationFn: async () =>
      (
        await apiSend<{ code: string; expiresAt: string }>(
          'POST',
          withQuery('/api/citizen-codes', { purpose: 'self' }),
          { personId },
        )
      ).body,
  });
  return (
    <section aria-labelledby="slip-heading" className="panel">
      <h2 id="slip-heading">{t('slip.title')}</h2>
      <p className="hint">{t('slip.explain')}</p>
      {issue.data ? (
        <div className="print-area" data-testid="slip-print">
          <h2 className="print-only">{t('slip.printTitle')}</h2>
          <p className="slip" role="status">
            {t('slip.code')}{' '}
            <strong className="mono" data-testid="slip-code">
              {issue.data.code}
            </strong>{' '}
            {t('slip.until', { time: format.dateTime(issue.data.expiresAt) })}
          </p>
          <p className="print-only">{t('slip.howTo', { address: citizenAddress() })}</p>
          <PrintButton label={t('slip.print')} />
        </div>
      ) : null}
      {issue.data ? (
        <p className="notice notice-warning" data-testid="slip-replaced">
          {t('slip.replaced')}
        </p>
      ) : (
        <button type="button" onClick={() => issue.mutate()} disabled={issue.isPending}>
          {t('slip.issue')}
        </button>
      )}
      {issue.error ? <ProblemNotice error={issue.error} /> : null}
    </section>
  );
}
