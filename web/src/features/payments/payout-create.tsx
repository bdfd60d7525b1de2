import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError, apiGet, apiSend } from '../../api/client.js';
import { ConfirmStep } from '../../components/confirm-step.js';
import { Field } from '../../components/field.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { moneyText } from './money.js';
import type { PayoutBatch } from './money-api.js';
import {
  debtorOf,
  PayingAccountPanel,
  type PayingAccountVersion,
  usePayingAccount,
} from './paying-account-panel.js';

/** A cash cycle a batch may pay (`GET /api/payouts/cycles`). */
interface PayoutCycle {
  cycleId: string;
  programId: string;
  programName: { es: string; en: string } | null;
  status: string;
  referenceDate: string;
  currency: 'VES' | 'USD';
}

/** What a batch of the cycle would be (`GET /api/payouts/cycles/:cycleId/preview`). */
interface PayoutPreview {
  cycleId: string;
  programId: string;
  currency: 'VES' | 'USD';
  openCount: number;
  alreadyPaidCount: number;
  leftForNextBatch: number;
  payable: Array<{ entitlementId: string; amountMinor: string }>;
  includedCount: number;
  includedAmountMinor: string;
  /** All those the batch would leave out; `excluded` lists the first of them. */
  excludedCount: number;
  excluded: Array<{
    entitlementId: string;
    personId: string;
    amountMinor: string;
    reason: 'no_payee_account' | 'payee_account_held' | 'payee_account_phone_changed';
    heldUntil: string | null;
  }>;
}

function tomorrow(): string {
  const day = new Date(Date.now() + 24 * 60 * 60 * 1000);
  return day.toISOString().slice(0, 10);
}

/**
 * A finance officer makes a bank payout batch (issue #16): chooses an approved cash cycle, sees
 * how many of its open cash entitlements the batch would pay and whom it would leave out and why
 * (no payee account, or one held), sees the program's stored paying account (set or changed
 * there by a holder of `payment.paying_account_set`), chooses the payment date, and confirms. The batch names every unpaid open cash entitlement of the cycle and nothing about
 * where: each is paid into its person's stored payee account. It then waits for a second
 * officer's approval in the list below.
 */
export function PayoutCreatePanel({ purpose }: { purpose: string }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const language = i18n.language === 'en' ? 'en' : 'es';
  const [cycleId, setCycleId] = useState('');
  const [executionDate, setExecutionDate] = useState(tomorrow);
  const [clientId, setClientId] = useState<string | null>(null);
  const cycles = useQuery({
    queryKey: ['payout-cycles'],
    queryFn: () => apiGet<{ cycles: PayoutCycle[] }>(`/api/payouts/cycles?purpose=${purpose}`),
  });
  const preview = useQuery({
    queryKey: ['payout-preview', cycleId],
    queryFn: () =>
      apiGet<PayoutPreview>(`/api/payouts/cycles/${cycleId}/preview?purpose=${purpose}`),
    enabled: cycleId !== '',
  });
  const payingPath = `/api/payments/programs/${preview.data?.programId ?? ''}/paying-account`;
  const paying =
    usePayingAccount(payingPath, purpose, preview.data !== undefined).data?.current ?? null;
  const create = useMutation({
    mutationFn: (body: { clientId: string; data: PayoutPreview; debtor: PayingAccountVersion }) =>
      apiSend<PayoutBatch>('POST', `/api/payouts/batches?purpose=${purpose}`, {
        clientId: body.clientId,
        programId: body.data.programId,
        currency: body.data.currency,
        requestedExecutionDate: executionDate,
        // The stored account as shown: changed since, the server refuses the batch.
        debtor: debtorOf(body.debtor),
        instructions: body.data.payable.map((item) => ({
          referenceKind: 'entitlement',
          referenceId: item.entitlementId,
          amountMinor: item.amountMinor,
        })),
      }),
    onSuccess: () => {
      setClientId(null);
      client.invalidateQueries({ queryKey: ['payout-batches'] });
      client.invalidateQueries({ queryKey: ['payout-preview'] });
    },
  });
  const data = preview.data;
  const money = (minor: string) => moneyText(minor, data?.currency ?? 'VES', language);
  const choose = (id: string) => {
    setCycleId(id);
    setClientId(null);
    create.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // One idempotency key per confirmed intent: a retry after a lost answer sends the same one.
    setClientId(crypto.randomUUID());
  };
  const list = cycles.data?.cycles ?? [];
  return (
    <section aria-labelledby="payouts-create-title" data-testid="payout-create">
      <h2 id="payouts-create-title">{t('payouts.create.title')}</h2>
      <p>{t('payouts.create.explain')}</p>
      {cycles.error ? <ProblemNotice error={cycles.error} /> : null}
      {cycles.data && list.length === 0 ? <p>{t('payouts.create.noCycles')}</p> : null}
      <form onSubmit={submit} className="stack">
        <Field label={t('payouts.create.cycle')} required>
          {(control) => (
            <select {...control} value={cycleId} onChange={(e) => choose(e.target.value)}>
              <option value="">{t('payouts.create.chooseCycle')}</option>
              {list.map((cycle) => (
                <option key={cycle.cycleId} value={cycle.cycleId}>
                  {t('payouts.create.cycleOption', {
                    program: cycle.programName?.[language] ?? cycle.programId,
                    date: cycle.referenceDate,
                    currency: cycle.currency,
                  })}
                </option>
              ))}
            </select>
          )}
        </Field>
        {preview.error ? <ProblemNotice error={preview.error} /> : null}
        {data ? (
          <div data-testid="payout-preview" className="stack">
            <p>
              {t('payouts.create.open', { count: data.openCount })}{' '}
              {data.alreadyPaidCount > 0
                ? t('payouts.create.alreadyPaid', { count: data.alreadyPaidCount })
                : ''}
            </p>
            <p data-testid="payout-preview-included">
              {t('payouts.create.included', {
                count: data.includedCount,
                amount: money(data.includedAmountMinor),
              })}
            </p>
            {data.leftForNextBatch > 0 ? (
              <p>{t('payouts.create.nextBatch', { count: data.leftForNextBatch })}</p>
            ) : null}
            {data.excludedCount > 0 ? (
              <>
                <p>{t('payouts.create.excluded', { count: data.excludedCount })}</p>
                <ul className="card-list payout-ids" data-testid="payout-preview-excluded">
                  {data.excluded.map((item) => (
                    <li key={item.entitlementId}>
                      {t('payouts.exclusions.line', {
                        entitlementId: item.entitlementId,
                        amount: money(item.amountMinor),
                        reason: t(`payouts.exclusions.reasons.${item.reason}`, {
                          date: item.heldUntil === null ? '' : format.dateTime(item.heldUntil),
                        }),
                      })}{' '}
                      <Link to={`/persons/${item.personId}/payee-account`}>
                        {t('payouts.exclusions.fix')}
                      </Link>
                    </li>
                  ))}
                </ul>
                {data.excludedCount > data.excluded.length ? (
                  <p data-testid="payout-preview-excluded-more">
                    {t('payouts.create.excludedMore', {
                      count: data.excludedCount - data.excluded.length,
                    })}
                  </p>
                ) : null}
              </>
            ) : null}
            {list.find((cycle) => cycle.cycleId === cycleId)?.status === 'approved' ? (
              <p role="status" data-testid="payout-not-published">
                {t('payouts.create.notPublished')}
              </p>
            ) : data.includedCount === 0 ? (
              <p role="status">{t('payouts.create.nobody')}</p>
            ) : (
              <>
                <PayingAccountPanel path={payingPath} purpose={purpose} />
                <Field label={t('payouts.create.executionDate')} required>
                  {(control) => (
                    <input
                      {...control}
                      type="date"
                      value={executionDate}
                      onChange={(e) => setExecutionDate(e.target.value)}
                    />
                  )}
                </Field>
                {paying === null ? null : clientId === null ? (
                  <button type="submit">{t('payouts.create.submit')}</button>
                ) : (
                  <ConfirmStep
                    question={t('payouts.create.question', {
                      count: data.includedCount,
                      amount: money(data.includedAmountMinor),
                      excluded: data.excludedCount,
                    })}
                    confirmLabel={t('payouts.create.confirm')}
                    pending={create.isPending}
                    onConfirm={() => create.mutate({ clientId, data, debtor: paying })}
                    onCancel={() => setClientId(null)}
                  />
                )}
              </>
            )}
          </div>
        ) : null}
      </form>
      {create.error instanceof ApiError && create.error.code === 'AMP_FUNDS_INSUFFICIENT' ? (
        <div className="notice notice-error" role="alert">
          <p>{t('payouts.create.noFunds')}</p>
        </div>
      ) : create.error ? (
        <ProblemNotice error={create.error} />
      ) : null}
      {create.data ? (
        <p role="status" data-testid="payout-created">
          {t('payouts.create.done', {
            file: create.data.body.messageId,
            count: create.data.body.paymentsCount,
          })}
        </p>
      ) : null}
    </section>
  );
}
