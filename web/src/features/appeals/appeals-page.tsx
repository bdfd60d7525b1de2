import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  AppealAnswer,
  AppealDetailAnswer,
  DecideAppealInput,
} from '../../../../src/shared/api/appeals.js';
import { apiGet, apiSend, withQuery } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { HoldObjectionsPanel } from '../holds/hold-objections-panel.js';
import { AppealStatusText, ClauseText } from './clause-text.js';

const views = ['open', 'mine', 'overdue', 'decided'] as const;
type View = (typeof views)[number];

/**
 * The program officers' appeals queue (purpose `appeal`, their regions only): open, assigned
 * to me, overdue, decided; opening one shows the person's statement and the rule explained on
 * their record (audited), taking it, and the decision form.
 */
export function AppealsPage() {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'en' ? 'en' : 'es';
  const format = useFormat();
  const [view, setView] = useState<View>('open');
  const [openId, setOpenId] = useState<string | null>(null);
  const queue = useQuery({
    queryKey: ['appeals', view],
    queryFn: () =>
      apiGet<{ appeals: AppealAnswer[] }>(withQuery('/api/appeals', { purpose: 'appeal', view })),
  });
  return (
    <section>
      <PageHeading>{t('appeals.queueTitle')}</PageHeading>
      <fieldset className="choice-row">
        <legend>{t('appeals.show')}</legend>
        {views.map((name) => (
          <label key={name}>
            <input
              type="radio"
              name="view"
              checked={view === name}
              onChange={() => {
                setView(name);
                setOpenId(null);
              }}
            />{' '}
            {t(`appeals.view.${name}`)}
          </label>
        ))}
      </fieldset>
      {queue.isPending ? <p aria-live="polite">{t('common.loading')}</p> : null}
      {queue.error ? <ProblemNotice error={queue.error} /> : null}
      {queue.data?.appeals.length === 0 ? <p>{t('appeals.queueEmpty')}</p> : null}
      <ul className="appeal-list" data-testid="appeal-queue">
        {queue.data?.appeals.map((appeal) => (
          <li key={appeal.id} data-overdue={appeal.overdue}>
            <p>
              <strong>{appeal.program.name[language]}</strong> {appeal.reference}
              {' · '}
              <AppealStatusText
                status={appeal.status}
                outcome={appeal.outcome}
                overdue={appeal.overdue}
              />
              {' · '}
              {t('appeals.filedOn', { date: format.date(appeal.filedAt) })}
              {' · '}
              {t('appeals.decideBy', { date: format.date(appeal.decideDueAt) })}
              {appeal.assignedToCaller ? ` · ${t('appeals.assignedToYou')}` : ''}
            </p>
            <button
              type="button"
              aria-expanded={openId === appeal.id}
              onClick={() => setOpenId(openId === appeal.id ? null : appeal.id)}
            >
              {t('appeals.open')}
            </button>
            {openId === appeal.id ? (
              <AppealDetail
                appealId={appeal.id}
                // Taken, it leaves the open and overdue lists: it stays open under "mine".
                onTaken={() => setView('mine')}
              />
            ) : null}
          </li>
        ))}
      </ul>
      <HoldObjectionsPanel />
    </section>
  );
}

function AppealDetail({ appealId, onTaken }: { appealId: string; onTaken: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const detail = useQuery({
    queryKey: ['appeal', appealId],
    queryFn: () =>
      apiGet<AppealDetailAnswer>(withQuery(`/api/appeals/${appealId}`, { purpose: 'appeal' })),
  });
  const take = useMutation({
    mutationFn: () =>
      apiSend('POST', withQuery(`/api/appeals/${appealId}/assign`, { purpose: 'appeal' }), {}),
    onSuccess: async () => {
      onTaken();
      await client.invalidateQueries({ queryKey: ['appeal', appealId] });
      await client.invalidateQueries({ queryKey: ['appeals'] });
    },
  });
  if (detail.isPending) return <p aria-live="polite">{t('common.loading')}</p>;
  if (detail.error) return <ProblemNotice error={detail.error} />;
  const appeal = detail.data;
  const open = ['filed', 'assigned', 'awaiting_correction'].includes(appeal.status);
  return (
    <div className="appeal-detail" data-testid="appeal-detail">
      <h3>{t('appeals.statement')}</h3>
      <blockquote>{appeal.statement}</blockquote>
      <h3>{t('appeals.explanation', { version: appeal.version })}</h3>
      <ul>
        {appeal.explanation.clauses.map((clause) => (
          <li key={clause.source} data-outcome={clause.outcome}>
            {t(`appeals.outcome.${clause.outcome}`)}: <ClauseText clause={clause} />
          </li>
        ))}
      </ul>
      {appeal.dataErrorFields.length > 0 ? (
        <p>{t('appeals.waitingCorrection', { fields: appeal.dataErrorFields.join(', ') })}</p>
      ) : null}
      {appeal.reason && appeal.status === 'decided' ? (
        <p>{t('appeals.reason', { reason: appeal.reason })}</p>
      ) : null}
      {open && !appeal.assignedToCaller ? (
        <button type="button" onClick={() => take.mutate()} disabled={take.isPending}>
          {t('appeals.take')}
        </button>
      ) : null}
      {take.error ? <ProblemNotice error={take.error} /> : null}
      {open && appeal.assignedToCaller ? <DecisionForm appeal={appeal} /> : null}
    </div>
  );
}

function DecisionForm({ appeal }: { appeal: AppealDetailAnswer }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [outcome, setOutcome] = useState<DecideAppealInput['outcome']>('rejected');
  const [reason, setReason] = useState('');
  const [fields, setFields] = useState('');
  const facts = Object.keys(
    Object.assign({}, ...appeal.explanation.clauses.map((clause) => clause.facts)),
  );
  const decide = useMutation({
    mutationFn: () =>
      apiSend('POST', withQuery(`/api/appeals/${appeal.id}/decision`, { purpose: 'appeal' }), {
        outcome,
        reason,
        ...(outcome === 'data_error' ? { fields: fields ? [fields] : [] } : {}),
      }),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['appeal', appeal.id] });
      await client.invalidateQueries({ queryKey: ['appeals'] });
    },
  });
  const outcomes: DecideAppealInput['outcome'][] =
    appeal.status === 'awaiting_correction'
      ? ['upheld', 'rejected']
      : ['upheld', 'rejected', 'data_error'];
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        decide.mutate();
      }}
    >
      <fieldset>
        <legend>{t('appeals.decision')}</legend>
        {outcomes.map((name) => (
          <label key={name}>
            <input
              type="radio"
              name="outcome"
              checked={outcome === name}
              onChange={() => setOutcome(name)}
            />{' '}
            {t(`appeals.decide.${name}`)}
          </label>
        ))}
      </fieldset>
      {outcome === 'data_error' ? (
        <Field label={t('appeals.wrongFact')} required>
          {(control) => (
            <select {...control} value={fields} onChange={(event) => setFields(event.target.value)}>
              <option value="">—</option>
              {facts.map((fact) => (
                <option key={fact} value={fact}>
                  {fact}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : null}
      <Field label={t('appeals.reasonLabel')} hint={t('appeals.reasonHint')} required>
        {(control) => (
          <textarea
            {...control}
            rows={3}
            maxLength={2000}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
          />
        )}
      </Field>
      {decide.error ? <ProblemNotice error={decide.error} /> : null}
      <button type="submit" disabled={decide.isPending || reason.trim() === ''}>
        {t('appeals.record')}
      </button>
    </form>
  );
}
