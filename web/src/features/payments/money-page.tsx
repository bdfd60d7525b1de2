import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { apiGet, apiSend } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { may, purposesFor } from '../../session/permissions.js';
import { useOperator } from '../../session/use-session.js';
import { CurrencyField } from './currency-field.js';
import { LedgerAccountField, LedgerAccountsPanel } from './ledger-accounts.js';
import { MerchantsPanel, SettlementPanel } from './merchant-panels.js';
import { type Adjustment, amountText, type FrozenBalance, minorFrom } from './money-api.js';
import {
  DisbursementPanel,
  FlaggedPayoutsPanel,
  TrialBalancePanel,
} from './money-ledger-panels.js';

/**
 * The finance officer's console (issue #16): program funding, a disbursement and its progress,
 * the trial balance, an account's statement (CSV or PDF), two-person adjustments and the
 * frozen wallets' balances. An auditor sees the figures and is pointed to the alerts. Each part
 * is shown only to roles holding its action (docs/ACCESS.md, "Money").
 */
export function MoneyPage() {
  const { t } = useTranslation();
  const me = useOperator();
  const roles = me?.roles ?? [];
  const purpose = roles.includes('finance_officer') ? 'distribution' : 'audit';
  return (
    <section>
      <PageHeading>{t('money.title')}</PageHeading>
      <p>{t('money.lead')}</p>
      {may(roles, 'payment.fund') ? <FundingPanel purpose={purpose} /> : null}
      {may(roles, 'payment.disburse') ? <DisbursementPanel purpose={purpose} /> : null}
      {may(roles, 'payment.ledger_read') ? <TrialBalancePanel purpose={purpose} /> : null}
      {may(roles, 'payment.ledger_read') ? <LedgerAccountsPanel purpose={purpose} /> : null}
      {may(roles, 'payment.ledger_read') ? <StatementPanel purpose={purpose} /> : null}
      {may(roles, 'payment.ledger_read') ? (
        <AdjustmentsPanel purpose={purpose} canAdjust={may(roles, 'payment.adjust')} />
      ) : null}
      {may(roles, 'payment.ledger_read') ? (
        <FrozenPanel purpose={purpose} canAdjust={may(roles, 'payment.adjust')} />
      ) : null}
      {purposesFor(roles, 'merchant.read').some((each) => each === purpose) ? (
        <MerchantsPanel
          purpose={purpose}
          canManage={may(roles, 'merchant.manage')}
          canReview={purposesFor(roles, 'merchant.counter_assisted_review').some(
            (each) => each === purpose,
          )}
          canApprove={may(roles, 'merchant.approve')}
        />
      ) : null}
      {may(roles, 'merchant.settle') ? <SettlementPanel purpose={purpose} /> : null}
      {purposesFor(roles, 'payout.read').some((each) => each === purpose) ? (
        <p>
          <Link to="/money/payouts">{t('payouts.link')}</Link>
        </p>
      ) : null}
      {purposesFor(roles, 'payout.read').some((each) => each === purpose) ? (
        <FlaggedPayoutsPanel purpose={purpose} />
      ) : null}
      {may(roles, 'audit.read') ? (
        <section aria-labelledby="money-alerts-title">
          <h2 id="money-alerts-title">{t('money.alerts.title')}</h2>
          <p>
            {t('money.alerts.explain')} <Link to="/audit">{t('money.alerts.link')}</Link>
          </p>
        </section>
      ) : null}
    </section>
  );
}

function FundingPanel({ purpose }: { purpose: string }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [programId, setProgramId] = useState('');
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState<'VES' | 'USD'>('VES');
  const fund = useMutation({
    mutationFn: () =>
      apiSend<{ balanceMinor: string; currency: string }>(
        'POST',
        `/api/payments/programs/${programId.trim()}/funding?purpose=${purpose}`,
        { transferId: crypto.randomUUID(), currency, amountMinor: minorFrom(amount) },
      ),
    // A first funding opens the program's and the settlement accounts: the pickers list them.
    onSuccess: () => client.invalidateQueries({ queryKey: ['money-ledger-accounts'] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    fund.mutate();
  };
  return (
    <section aria-labelledby="money-funding-title">
      <h2 id="money-funding-title">{t('money.funding.title')}</h2>
      <form onSubmit={submit} className="stack">
        <Field label={t('money.programId')} required>
          {(control) => (
            <input {...control} value={programId} onChange={(e) => setProgramId(e.target.value)} />
          )}
        </Field>
        <Field label={t('money.amount')} hint={t('money.amountHint')} required>
          {(control) => (
            <input
              {...control}
              inputMode="decimal"
              value={amount}
              onChange={(e) => setAmount(e.target.value)}
            />
          )}
        </Field>
        <CurrencyField value={currency} onChange={setCurrency} />
        <button type="submit" disabled={fund.isPending}>
          {t('money.funding.submit')}
        </button>
      </form>
      {fund.error ? <ProblemNotice error={fund.error} /> : null}
      {fund.data ? (
        <p role="status">
          {t('money.funding.done', {
            balance: amountText(fund.data.body.balanceMinor),
            currency: fund.data.body.currency,
          })}
        </p>
      ) : null}
    </section>
  );
}

function StatementPanel({ purpose }: { purpose: string }) {
  const { t } = useTranslation();
  const [accountId, setAccountId] = useState('');
  const valid = /^[0-9a-f-]{36}$/i.test(accountId.trim());
  const base = `/api/payments/accounts/${accountId.trim()}/statement`;
  return (
    <section aria-labelledby="money-statement-title">
      <h2 id="money-statement-title">{t('money.statement.title')}</h2>
      <LedgerAccountField
        label={t('money.statement.account')}
        hint={t('money.statement.hint')}
        purpose={purpose}
        value={accountId}
        onChange={setAccountId}
      />
      {valid ? (
        <p className="actions">
          <a href={`${base}.csv?purpose=${purpose}`} download>
            {t('money.statement.csv')}
          </a>{' '}
          <a href={`${base}.pdf?purpose=${purpose}`} download>
            {t('money.statement.pdf')}
          </a>
        </p>
      ) : null}
    </section>
  );
}

const manualReasons = ['correction', 'reversal', 'suspense_resolution', 'other'] as const;

function AdjustmentsPanel({ purpose, canAdjust }: { purpose: string; canAdjust: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const list = useQuery({
    queryKey: ['money-adjustments'],
    queryFn: () => apiGet<{ items: Adjustment[] }>(`/api/payments/adjustments?purpose=${purpose}`),
  });
  const decide = useMutation({
    mutationFn: (props: { id: string; decision: 'approve' | 'reject' }) =>
      apiSend('POST', `/api/payments/adjustments/${props.id}/decision?purpose=${purpose}`, {
        decision: props.decision,
      }),
    onSettled: () => {
      client.invalidateQueries({ queryKey: ['money-adjustments'] });
      client.invalidateQueries({ queryKey: ['money-ledger-accounts'] });
    },
  });
  return (
    <section aria-labelledby="money-adjustments-title">
      <h2 id="money-adjustments-title">{t('money.adjustments.title')}</h2>
      <p>{t('money.adjustments.explain')}</p>
      {canAdjust ? <ProposeForm purpose={purpose} /> : null}
      {list.error ? <ProblemNotice error={list.error} /> : null}
      {decide.error ? <ProblemNotice error={decide.error} /> : null}
      {list.data?.items.length === 0 ? <p>{t('money.adjustments.none')}</p> : null}
      <ul className="supervision-cards" data-testid="adjustments">
        {list.data?.items.map((item) => (
          <li key={item.id}>
            <dl className="supervision-figures">
              <dt>{t('money.amount')}</dt>
              <dd className="supervision-value">
                {amountText(item.amountMinor)} {item.currency}
              </dd>
              <dt>{t('money.adjustments.reason')}</dt>
              <dd className="supervision-value">
                {t(`money.adjustments.reasons.${item.reasonCode}`)}
              </dd>
              <dt>{t('money.adjustments.note')}</dt>
              <dd className="supervision-value">{item.note}</dd>
              <dt>{t('money.adjustments.status')}</dt>
              <dd className="supervision-value">
                {t(`money.adjustments.statuses.${item.status}`)}
              </dd>
              <dt>{t('money.adjustments.proposedAt')}</dt>
              <dd className="supervision-value">{format.dateTime(item.proposedAt)}</dd>
            </dl>
            {canAdjust && item.status === 'proposed' && item.mine ? (
              <p>{t('money.adjustments.waitsForOther')}</p>
            ) : null}
            {canAdjust && item.status === 'proposed' && !item.mine ? (
              <p className="actions">
                <button
                  type="button"
                  disabled={decide.isPending}
                  onClick={() => decide.mutate({ id: item.id, decision: 'approve' })}
                >
                  {t('money.adjustments.approve')}
                </button>{' '}
                <button
                  type="button"
                  disabled={decide.isPending}
                  onClick={() => decide.mutate({ id: item.id, decision: 'reject' })}
                >
                  {t('money.adjustments.reject')}
                </button>
              </p>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function ProposeForm({ purpose }: { purpose: string }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [form, setForm] = useState({
    debitAccountId: '',
    creditAccountId: '',
    amount: '',
    currency: 'VES',
    reasonCode: 'correction',
    note: '',
  });
  const set = (name: keyof typeof form) => (value: string) =>
    setForm((current) => ({ ...current, [name]: value }));
  const propose = useMutation({
    mutationFn: () =>
      apiSend('POST', `/api/payments/adjustments?purpose=${purpose}`, {
        debitAccountId: form.debitAccountId.trim(),
        creditAccountId: form.creditAccountId.trim(),
        currency: form.currency,
        amountMinor: minorFrom(form.amount),
        reasonCode: form.reasonCode,
        note: form.note,
      }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['money-adjustments'] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    propose.mutate();
  };
  const text = (name: 'amount' | 'note', label: string) => (
    <Field label={label} required>
      {(control) => (
        <input {...control} value={form[name]} onChange={(e) => set(name)(e.target.value)} />
      )}
    </Field>
  );
  return (
    <form onSubmit={submit} className="stack" aria-labelledby="money-propose-title">
      <h3 id="money-propose-title">{t('money.adjustments.propose')}</h3>
      <LedgerAccountField
        label={t('money.adjustments.from')}
        purpose={purpose}
        value={form.debitAccountId}
        onChange={set('debitAccountId')}
        required
      />
      <LedgerAccountField
        label={t('money.adjustments.to')}
        purpose={purpose}
        value={form.creditAccountId}
        onChange={set('creditAccountId')}
        required
      />
      {text('amount', t('money.amount'))}
      <Field label={t('money.currency')}>
        {(control) => (
          <select
            {...control}
            value={form.currency}
            onChange={(e) => set('currency')(e.target.value)}
          >
            <option value="VES">VES</option>
            <option value="USD">USD</option>
          </select>
        )}
      </Field>
      <Field label={t('money.adjustments.reason')}>
        {(control) => (
          <select
            {...control}
            value={form.reasonCode}
            onChange={(e) => set('reasonCode')(e.target.value)}
          >
            {manualReasons.map((reason) => (
              <option key={reason} value={reason}>
                {t(`money.adjustments.reasons.${reason}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      {text('note', t('money.adjustments.note'))}
      <button type="submit" disabled={propose.isPending}>
        {t('money.adjustments.submit')}
      </button>
      {propose.error ? <ProblemNotice error={propose.error} /> : null}
      {propose.isSuccess ? <p role="status">{t('money.adjustments.proposed')}</p> : null}
    </form>
  );
}

function FrozenPanel({ purpose, canAdjust }: { purpose: string; canAdjust: boolean }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [note, setNote] = useState('');
  const list = useQuery({
    queryKey: ['money-frozen'],
    queryFn: () =>
      apiGet<{ items: FrozenBalance[] }>(`/api/payments/frozen-wallets?purpose=${purpose}`),
  });
  const move = useMutation({
    mutationFn: (item: FrozenBalance) =>
      apiSend('POST', `/api/payments/frozen-wallets/${item.personId}/moves?purpose=${purpose}`, {
        currency: item.currency,
        note,
      }),
    onSettled: () => {
      client.invalidateQueries({ queryKey: ['money-frozen'] });
      client.invalidateQueries({ queryKey: ['money-adjustments'] });
      client.invalidateQueries({ queryKey: ['money-ledger-accounts'] });
    },
  });
  return (
    <section aria-labelledby="money-frozen-title">
      <h2 id="money-frozen-title">{t('money.frozen.title')}</h2>
      <p>{t('money.frozen.explain')}</p>
      {list.error ? <ProblemNotice error={list.error} /> : null}
      {move.error ? <ProblemNotice error={move.error} /> : null}
      {list.data?.items.length === 0 ? <p>{t('money.frozen.none')}</p> : null}
      {canAdjust && (list.data?.items.length ?? 0) > 0 ? (
        <Field label={t('money.adjustments.note')} hint={t('money.frozen.noteHint')}>
          {(control) => (
            <input {...control} value={note} onChange={(e) => setNote(e.target.value)} />
          )}
        </Field>
      ) : null}
      <ul className="supervision-cards">
        {list.data?.items.map((item) => (
          <li key={item.accountId}>
            <p>
              {t('money.frozen.line', {
                amount: amountText(item.balanceMinor),
                currency: item.currency,
                reason: t(`money.frozen.reasons.${item.reason}`),
                destination: t(`money.frozen.destinations.${item.destination}`),
              })}
            </p>
            {canAdjust && item.pendingAdjustmentId === null ? (
              <button
                type="button"
                disabled={move.isPending || note.trim() === ''}
                onClick={() => move.mutate(item)}
              >
                {t('money.frozen.move')}
              </button>
            ) : null}
            {item.pendingAdjustmentId !== null ? <p>{t('money.frozen.pending')}</p> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
