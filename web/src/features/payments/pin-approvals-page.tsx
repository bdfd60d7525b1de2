import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PinCheckAnswer, PinChecksAnswer } from '../../../../src/shared/api/merchants.js';
import { apiGet, apiSend, withQuery } from '../../api/client.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { CheckAnswerFields, emptyAnswer } from '../second-check/second-check-fields.js';

/**
 * The second operator's side of a PIN set without a phone (docs/PAYMENTS-PIN.md): the checks of
 * persons of their regions another clerk started and that wait for an approval. For each, the
 * photo on file is shown on request (a read of the person, audited), to compare with the person
 * at the counter; then approve, or refuse (the check fails for good). A decided check stays on
 * the screen with its outcome until the list is refreshed.
 */
export function PinApprovalsPage() {
  const { t } = useTranslation();
  const list = useQuery({
    queryKey: ['pin-checks'],
    queryFn: () =>
      apiGet<PinChecksAnswer>(withQuery('/api/payments/pin-checks', { purpose: 'self' })),
  });
  return (
    <article>
      <PageHeading>{t('pinApprovals.title')}</PageHeading>
      <p className="hint">{t('pinApprovals.explain')}</p>
      <button type="button" onClick={() => list.refetch()} disabled={list.isFetching}>
        {t('pinApprovals.refresh')}
      </button>
      {list.error ? <ProblemNotice error={list.error} /> : null}
      {list.data?.checks.length === 0 ? <p>{t('pinApprovals.none')}</p> : null}
      <ul className="plain-list" data-testid="pin-approvals">
        {list.data?.checks.map((check) => (
          <li key={check.checkId}>
            <PendingCheck check={check} />
          </li>
        ))}
      </ul>
    </article>
  );
}

function PendingCheck({ check }: { check: PinCheckAnswer }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [attested, setAttested] = useState(false);
  const path = `/api/payments/persons/${check.personId}/pin-checks/${check.checkId}`;
  const photo = useMutation({
    mutationFn: async () =>
      (await apiGet<{ photo: string | null }>(withQuery(`${path}/photo`, { purpose: 'self' })))
        .photo,
  });
  const decide = useMutation({
    mutationFn: (decision: 'approval' | 'refusal') =>
      apiSend(
        'POST',
        withQuery(`${path}/${decision}`, { purpose: 'self' }),
        decision === 'approval' ? { photoChecked: true } : {},
      ).then(() => decision),
  });
  const headingId = `pin-check-${check.checkId}`;
  return (
    <section aria-labelledby={headingId} className="panel">
      <h2 id={headingId}>{t('pinApprovals.check', { time: format.dateTime(check.createdAt) })}</h2>
      <p className="hint">
        {t('pinApprovals.expires', { time: format.dateTime(check.expiresAt) })}
      </p>
      {decide.data ? (
        <p role="status">{t(`pinApprovals.decided.${decide.data}`)}</p>
      ) : photo.data === undefined ? (
        <button type="button" onClick={() => photo.mutate()} disabled={photo.isPending}>
          {t('pinApprovals.showPhoto')}
        </button>
      ) : (
        <>
          {photo.data === null ? (
            <p className="notice notice-warning">{t('pinApprovals.noPhoto')}</p>
          ) : null}
          <CheckAnswerFields
            words="staffPin"
            kind="photo"
            photo={photo.data}
            answer={{ ...emptyAnswer, attested }}
            onChange={(answer) => setAttested(answer.attested)}
          />
          <p className="actions">
            <button
              type="button"
              onClick={() => decide.mutate('approval')}
              disabled={!attested || photo.data === null || decide.isPending}
            >
              {t('pinApprovals.approve')}
            </button>{' '}
            <button
              type="button"
              onClick={() => decide.mutate('refusal')}
              disabled={decide.isPending}
            >
              {t('pinApprovals.refuse')}
            </button>
          </p>
        </>
      )}
      {photo.error ? <ProblemNotice error={photo.error} /> : null}
      {decide.error ? <ProblemNotice error={decide.error} /> : null}
    </section>
  );
}
