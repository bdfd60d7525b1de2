import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiGet, withQuery } from '../../api/client.js';
import { ConfirmStep } from '../../components/confirm-step.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { divisionName } from '../../geography/divisions.js';
import { useFormat } from '../../i18n/format.js';
import { useOperator } from '../../session/use-session.js';
import { type ErasureRequest, useErasureDecision } from './erasure-api.js';
import { ErasureRequestForm } from './erasure-request-form.js';

/**
 * Lawful erasure for administrators (docs/ERASURE.md): file a request from the order's ID
 * number and ground; a different administrator approves it, which erases at once, or anyone
 * withdraws it. The page shows identifiers and grounds only, never a person's data.
 */
export function ErasurePage() {
  const { t } = useTranslation();
  // The decided request leaves the pending list at once; this keeps saying what happened.
  const [decided, setDecided] = useState<ErasureRequest | null>(null);
  const pending = useQuery({
    queryKey: ['erasure-requests', 'pending'],
    queryFn: () =>
      apiGet<{ items: ErasureRequest[] }>(
        withQuery('/api/erasure-requests', { status: 'pending' }),
      ),
  });
  return (
    <section>
      <PageHeading>{t('erasure.title')}</PageHeading>
      <p className="hint">{t('erasure.explain')}</p>
      <ErasureRequestForm />
      <h2>{t('erasure.pending.title')}</h2>
      <DecisionNotice decided={decided} />
      {pending.isPending ? <p aria-live="polite">{t('common.loading')}</p> : null}
      {pending.error ? <ProblemNotice error={pending.error} /> : null}
      {pending.data?.items.length === 0 ? <p>{t('erasure.pending.empty')}</p> : null}
      <ul className="plain-list">
        {pending.data?.items.map((request) => (
          <PendingRequest key={request.id} request={request} onDecided={setDecided} />
        ))}
      </ul>
    </section>
  );
}

/** Confirms the last approval or withdrawal in words, announced to screen readers. */
function DecisionNotice({ decided }: { decided: ErasureRequest | null }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <div role="status" data-testid="erasure-decided">
      {decided?.status === 'executed' ? (
        <p className="notice notice-ok">
          {t('erasure.pending.executed', {
            uin: decided.uin,
            date: format.dateTime(decided.approvedAt ?? Date.now()),
          })}
        </p>
      ) : decided?.status === 'withdrawn' ? (
        <p className="notice">{t('erasure.pending.withdrawn', { uin: decided.uin })}</p>
      ) : null}
    </div>
  );
}

function PendingRequest({
  request,
  onDecided,
}: {
  request: ErasureRequest;
  onDecided: (decided: ErasureRequest) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const me = useOperator();
  const [confirming, setConfirming] = useState(false);
  const decide = useErasureDecision(request.id, onDecided);
  const own = request.requestedBy.username === me?.username;
  return (
    <li className="panel" data-testid={`erasure-${request.uin}`}>
      <h3>
        <span className="mono">{request.uin}</span> · {divisionName(request.regionCode)}
      </h3>
      <p>
        {t(`erasure.ground.${request.reasonCode}`)}
        {request.reference ? ` · ${request.reference}` : ''}
      </p>
      <p className="hint">
        {t('erasure.pending.requested', {
          username: request.requestedBy.username,
          date: format.dateTime(request.requestedAt),
        })}
      </p>
      {own ? <p className="hint">{t('erasure.pending.own')}</p> : null}
      {confirming ? (
        <ConfirmStep
          question={t('erasure.pending.question', { uin: request.uin })}
          confirmLabel={t('erasure.pending.confirm')}
          pending={decide.isPending}
          onConfirm={() => decide.mutate('approve')}
          onCancel={() => setConfirming(false)}
        />
      ) : (
        <ul className="actions">
          {own ? null : (
            <li>
              <button type="button" onClick={() => setConfirming(true)}>
                {t('erasure.pending.approve')}
              </button>
            </li>
          )}
          <li>
            <button
              type="button"
              className="button-secondary"
              disabled={decide.isPending}
              onClick={() => decide.mutate('withdraw')}
            >
              {t('erasure.pending.withdraw')}
            </button>
          </li>
        </ul>
      )}
      {decide.error ? <ProblemNotice error={decide.error} /> : null}
    </li>
  );
}
