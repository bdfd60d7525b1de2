import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiGet, apiSend } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { amountText, type Progress, type TrialBalance } from './money-api.js';

/** Starts (or resumes) paying an approved cash cycle and follows its progress every second. */
export function DisbursementPanel({ purpose }: { purpose: string }) {
  const { t } = useTranslation();
  const [cycleId, setCycleId] = useState('');
  const [disbursementId, setDisbursementId] = useState<string | null>(null);
  const start = useMutation({
    mutationFn: () =>
      apiSend<Progress>('POST', `/api/payments/disbursements?purpose=${purpose}`, {
        cycleId: cycleId.trim(),
      }),
    onSuccess: (answer) => setDisbursementId(answer.body.id),
  });
  const progress = useQuery({
    queryKey: ['money-disbursement', disbursementId],
    queryFn: () =>
      apiGet<Progress>(`/api/payments/disbursements/${disbursementId}?purpose=${purpose}`),
    enabled: disbursementId !== null,
    refetchInterval: (query) => (query.state.data?.status === 'finished' ? false : 1_000),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    start.mutate();
  };
  const data = progress.data;
  return (
    <section aria-labelledby="money-disbursement-title">
      <h2 id="money-disbursement-title">{t('money.disbursement.title')}</h2>
      <form onSubmit={submit} className="stack">
        <Field label={t('money.cycleId')} hint={t('money.disbursement.hint')} required>
          {(control) => (
            <input {...control} value={cycleId} onChange={(e) => setCycleId(e.target.value)} />
          )}
        </Field>
        <button type="submit" disabled={start.isPending}>
          {t('money.disbursement.submit')}
        </button>
      </form>
      {start.error ? <ProblemNotice error={start.error} /> : null}
      {progress.error ? <ProblemNotice error={progress.error} /> : null}
      {data ? (
        <div data-testid="disbursement-progress">
          <label htmlFor="money-progress">
            {t(`money.disbursement.${data.status}`, {
              done: data.chunksDone,
              total: data.chunksTotal,
            })}
          </label>
          <progress
            id="money-progress"
            max={Math.max(1, data.chunksTotal)}
            value={data.chunksDone}
          />
          <dl className="supervision-figures">
            <dt>{t('money.disbursement.entitlements')}</dt>
            <dd className="supervision-value">{data.entitlementsTotal}</dd>
            <dt>{t('money.disbursement.credited')}</dt>
            <dd className="supervision-value">
              {data.creditedCount} ({amountText(data.creditedMinor)} {data.currency})
            </dd>
            <dt>{t('money.disbursement.skipped')}</dt>
            <dd className="supervision-value">{data.skippedCount}</dd>
            <dt>{t('money.disbursement.refused')}</dt>
            <dd className="supervision-value">{data.refusedCount}</dd>
          </dl>
        </div>
      ) : null}
    </section>
  );
}

/** Every account summed by currency and kind; each currency's debits must equal its credits. */
export function TrialBalancePanel({ purpose }: { purpose: string }) {
  const { t } = useTranslation();
  const balance = useQuery({
    queryKey: ['money-trial-balance'],
    queryFn: () => apiGet<TrialBalance>(`/api/payments/trial-balance?purpose=${purpose}`),
  });
  return (
    <section aria-labelledby="money-trial-title">
      <h2 id="money-trial-title">{t('money.trial.title')}</h2>
      <button type="button" onClick={() => balance.refetch()}>
        {t('money.trial.refresh')}
      </button>
      {balance.error ? <ProblemNotice error={balance.error} /> : null}
      <ul className="supervision-cards" data-testid="trial-balance">
        {balance.data?.currencies.map((total) => (
          <li key={total.currency}>
            <p>
              <strong>{total.currency}</strong>:{' '}
              {t(total.balanced ? 'money.trial.balanced' : 'money.trial.unbalanced', {
                debits: amountText(total.debitsPostedMinor),
                credits: amountText(total.creditsPostedMinor),
              })}
            </p>
            <ul>
              {balance.data?.lines
                .filter((line) => line.currency === total.currency)
                .map((line) => (
                  <li key={line.kind}>
                    {t(`money.kinds.${line.kind}`)}:{' '}
                    {t('money.trial.line', {
                      accounts: line.accounts,
                      debits: amountText(line.debitsPostedMinor),
                      credits: amountText(line.creditsPostedMinor),
                    })}
                  </li>
                ))}
            </ul>
          </li>
        ))}
      </ul>
    </section>
  );
}
