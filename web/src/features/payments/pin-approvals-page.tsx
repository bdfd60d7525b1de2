import { useMutation, useQueries, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Action } from '../../../../src/shared/access/policy.js';
import type { PinCheckAnswer, PinChecksAnswer } from '../../../../src/shared/api/merchants.js';
import { apiGet, apiSend, withQuery } from '../../api/client.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { may } from '../../session/permissions.js';
import { useOperator } from '../../session/use-session.js';
import { CheckAnswerFields, emptyAnswer } from '../second-check/second-check-fields.js';

/** The kinds of two-person check a second operator decides here, each under its own action. */
const kinds = [
  { subject: 'payment_pin', path: 'pin-checks', action: 'payment.pin_approve', testId: 'pin' },
  { subject: 'payee_account', path: 'payee-checks', action: 'payee.approve', testId: 'payee' },
] as const satisfies readonly { subject: string; path: string; action: Action; testId: string }[];

type CheckKind = (typeof kinds)[number];

/**
 * The second operator's side of the two-person checks (docs/PAYMENTS-PIN.md; payouts/README.md,
 * "Payee accounts"): the checks of persons of their regions another account started to set a
 * payment PIN or a payee account, each kind listed under its own heading. For each, the photo on
 * file is shown on request (a read of the person, audited), to compare with the person at the
 * counter; then approve, or refuse (the check fails for good). A decided check stays on the
 * screen with its outcome until the list is refreshed.
 */
export function PinApprovalsPage() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const roles = useOperator()?.roles ?? [];
  const allowed = kinds.filter((kind) => may(roles, kind.action));
  const lists = useQueries({
    queries: allowed.map((kind) => ({
      queryKey: ['second-checks', kind.path],
      queryFn: () =>
        apiGet<PinChecksAnswer>(withQuery(`/api/payments/${kind.path}`, { purpose: 'self' })),
    })),
  });
  const loaded = lists.every((list) => list.data !== undefined);
  const none = loaded && lists.every((list) => list.data?.checks.length === 0);
  return (
    <article>
      <PageHeading>{t('pinApprovals.title')}</PageHeading>
      <p className="hint">{t('pinApprovals.explain')}</p>
      <button
        type="button"
        onClick={() => client.invalidateQueries({ queryKey: ['second-checks'] })}
        disabled={lists.some((list) => list.isFetching)}
      >
        {t('pinApprovals.refresh')}
      </button>
      {none ? <p>{t('pinApprovals.none')}</p> : null}
      {allowed.map((kind, index) => (
        <KindChecks key={kind.path} kind={kind} list={lists[index]} />
      ))}
    </article>
  );
}

function KindChecks(props: {
  kind: CheckKind;
  list: { data?: PinChecksAnswer | undefined; error: Error | null } | undefined;
}) {
  const { t } = useTranslation();
  const { kind, list } = props;
  if (list?.error) return <ProblemNotice error={list.error} />;
  const checks = list?.data?.checks ?? [];
  if (checks.length === 0) return null;
  const headingId = `second-checks-${kind.testId}`;
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>{t(`pinApprovals.kinds.${kind.subject}.heading`)}</h2>
      <ul className="plain-list" data-testid={`${kind.testId}-approvals`}>
        {checks.map((check) => (
          <li key={check.checkId}>
            <PendingCheck check={check} kind={kind} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function PendingCheck({ check, kind }: { check: PinCheckAnswer; kind: CheckKind }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [attested, setAttested] = useState(false);
  const path = `/api/payments/persons/${check.personId}/${kind.path}/${check.checkId}`;
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
  const headingId = `check-${check.checkId}`;
  return (
    <section aria-labelledby={headingId} className="panel">
      <h3 id={headingId}>
        {t(`pinApprovals.kinds.${kind.subject}.check`, {
          time: format.dateTime(check.createdAt),
        })}
      </h3>
      <p className="hint">
        {t('pinApprovals.expires', { time: format.dateTime(check.expiresAt) })}
      </p>
      {decide.data ? (
        <p role="status">
          {decide.data === 'approval'
            ? t(`pinApprovals.kinds.${kind.subject}.approved`)
            : t('pinApprovals.refused')}
        </p>
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
