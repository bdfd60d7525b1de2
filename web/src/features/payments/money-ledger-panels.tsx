import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiGet, apiSend } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { amountText, type FlaggedPayout, type Progress, type TrialBalance } from './money-api.js';

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
  const client = useQueryClient();
  const balance = useQuery({
    queryKey: ['money-trial-balance'],
    queryFn: () => apiGet<TrialBalance>(`/api/payments/trial-balance?purpose=${purpose}`),
  });
  return (
    <section aria-labelledby="money-trial-title">
      <h2 id="money-trial-title">{t('money.trial.title')}</h2>
      <button
        type="button"
        onClick={() => {
          balance.refetch();
          client.invalidateQueries({ queryKey: ['money-ledger-accounts'] });
        }}
      >
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

/**
 * Payouts already sent to the bank whose person then died, was merged or erased: the bank may
 * still execute them, so the finance officer reconciles each from the bank's answers (issue #16,
 * point 7; payouts/README.md). Read only; the status follows the bank's files.
 */
export function FlaggedPayoutsPanel({ purpose }: { purpose: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const flagged = useQuery({
    queryKey: ['money-flagged-payouts'],
    queryFn: () => apiGet<{ payouts: FlaggedPayout[] }>(`/api/payouts/flagged?purpose=${purpose}`),
  });
  const payouts = flagged.data?.payouts ?? [];
  return (
    <section aria-labelledby="money-flagged-title">
      <h2 id="money-flagged-title">{t('money.flagged.title')}</h2>
      <p>{t('money.flagged.explain')}</p>
      {flagged.error ? <ProblemNotice error={flagged.error} /> : null}
      {flagged.data && payouts.length === 0 ? <p>{t('money.flagged.none')}</p> : null}
      <ul className="card-list" data-testid="flagged-payouts">
        {payouts.map((payout) => (
          <li key={payout.instructionId}>
            {t('money.flagged.line', {
              endToEndId: payout.endToEndId,
              messageId: payout.messageId,
              amount: amountText(payout.amountMinor),
              currency: payout.currency,
              reason: t(`money.frozen.reasons.${payout.reason}`),
              status: t(`money.flagged.statuses.${payout.status}`),
              time: format.dateTime(payout.flaggedAt),
            })}
          </li>
        ))}
      </ul>
    </section>
  );
}
