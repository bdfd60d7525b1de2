import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  HoldObjectionDetail,
  HoldObjectionQueueItem,
} from '../../../../src/shared/api/hold-objections.js';
import { apiGet, apiSend, withQuery } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';

/**
 * The program officers' objections to holds (purpose `appeal`, their regions), beside the
 * appeals queue: undecided objections to holds in force, oldest due first; opening one shows
 * the person's words and the supervisor's note (audited), and the decision.
 */
export function HoldObjectionsPanel() {
  const { t } = useTranslation();
  const format = useFormat();
  const [openId, setOpenId] = useState<string | null>(null);
  const queue = useQuery({
    queryKey: ['hold-objections'],
    queryFn: () =>
      apiGet<{ objections: HoldObjectionQueueItem[] }>(
        withQuery('/api/distribution/hold-objections', { purpose: 'appeal' }),
      ),
  });
  return (
    <section aria-labelledby="hold-objections-heading">
      <h2 id="hold-objections-heading">{t('holdObjections.queueTitle')}</h2>
      <p className="hint">{t('holdObjections.queueExplain')}</p>
      {queue.isPending ? <p aria-live="polite">{t('common.loading')}</p> : null}
      {queue.error ? <ProblemNotice error={queue.error} /> : null}
      {queue.data?.objections.length === 0 ? <p>{t('holdObjections.queueEmpty')}</p> : null}
      <ul className="appeal-list" data-testid="hold-objection-queue">
        {queue.data?.objections.map((item) => (
          <li key={item.objectionId} data-overdue={item.overdue}>
            <p>
              <strong>{item.programCode}</strong>
              {' · '}
              {t(`holdReason.${item.holdReason}`)}
              {' · '}
              {t('appeals.filedOn', { date: format.date(item.filedAt) })}
              {' · '}
              {t('appeals.decideBy', { date: format.date(item.decideDueAt) })}
              {item.overdue ? ` · ${t('appeals.overdue')}` : ''}
            </p>
            <button
              type="button"
              aria-expanded={openId === item.objectionId}
              onClick={() => setOpenId(openId === item.objectionId ? null : item.objectionId)}
            >
              {t('appeals.open')}
            </button>
            {openId === item.objectionId ? (
              <ObjectionDecision objectionId={item.objectionId} onDone={() => setOpenId(null)} />
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function ObjectionDecision(props: { objectionId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const [reason, setReason] = useState('');
  const detail = useQuery({
    queryKey: ['hold-objection', props.objectionId],
    queryFn: () =>
      apiGet<HoldObjectionDetail>(
        withQuery(`/api/distribution/hold-objections/${props.objectionId}`, { purpose: 'appeal' }),
      ),
  });
  const decide = useMutation({
    mutationFn: (outcome: 'upheld' | 'rejected') =>
      apiSend(
        'POST',
        withQuery(`/api/distribution/hold-objections/${props.objectionId}/decision`, {
          purpose: 'appeal',
        }),
        reason.trim() === '' ? { outcome } : { outcome, reason: reason.trim() },
      ),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['hold-objections'] });
      props.onDone();
    },
    // Refused (the hold ended, or another officer decided meanwhile): read the objection again,
    // so the form gives way to where it stands.
    onError: () =>
      void client.invalidateQueries({ queryKey: ['hold-objection', props.objectionId] }),
  });
  if (detail.isPending) return <p aria-live="polite">{t('common.loading')}</p>;
  if (detail.error) return <ProblemNotice error={detail.error} />;
  const open = detail.data.status === 'open';
  return (
    <div data-objection={detail.data.status}>
      <p>
        {t('holdObjections.placedOn', {
          date: format.date(detail.data.placedAt),
          until: format.date(detail.data.lapsesAt),
        })}
      </p>
      <p>
        {t('holdObjections.holdNote')} <q>{detail.data.holdNote}</q>
      </p>
      <p>
        {t('holdObjections.personSays')} <q>{detail.data.statement}</q>
      </p>
      {open ? null : (
        <p className="notice" role="status">
          {detail.data.status === 'hold_ended'
            ? t('holdObjections.ended')
            : t('problem.AMP_HOLD_OBJECTION_DECIDED')}
        </p>
      )}
      {decide.error ? <ProblemNotice error={decide.error} /> : null}
      {open ? <DecisionForm decide={decide} reason={reason} onReason={setReason} /> : null}
    </div>
  );
}

function DecisionForm(props: {
  decide: { isPending: boolean; mutate: (outcome: 'upheld' | 'rejected') => void };
  reason: string;
  onReason: (reason: string) => void;
}) {
  const { t } = useTranslation();
  const { decide, reason } = props;
  return (
    <>
      <Field label={t('appeals.reasonLabel')} hint={t('holdObjections.reasonHint')}>
        {(control) => (
          <textarea
            {...control}
            maxLength={500}
            rows={3}
            value={reason}
            onChange={(event) => props.onReason(event.target.value)}
          />
        )}
      </Field>
      <button type="button" disabled={decide.isPending} onClick={() => decide.mutate('upheld')}>
        {t('holdObjections.uphold')}
      </button>{' '}
      <button
        type="button"
        className="button-secondary"
        disabled={decide.isPending || reason.trim() === ''}
        onClick={() => decide.mutate('rejected')}
      >
        {t('holdObjections.reject')}
      </button>
    </>
  );
}
