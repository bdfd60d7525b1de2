import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiGet, apiSend } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { may } from '../../session/permissions.js';
import { useOperator } from '../../session/use-session.js';

/** One version of a stored paying account (`GET …/paying-account`). */
export interface PayingAccountVersion {
  version: number;
  name: string;
  accountNumber: string;
  bankCode: string;
  bic: string | null;
  setAt: string;
}

/** The debtor a batch or settlement sends: the stored account as shown, so a change is caught. */
export function debtorOf(account: PayingAccountVersion) {
  return {
    name: account.name,
    accountNumber: account.accountNumber,
    bankCode: account.bankCode,
    ...(account.bic === null ? {} : { bic: account.bic }),
  };
}

/**
 * The agency's paying account stored for a program (`/api/payments/programs/:id/paying-account`)
 * or for a currency's merchant settlement: read once and shared with the form that makes the
 * file (the same query key).
 */
export function usePayingAccount(path: string, purpose: string, enabled = true) {
  return useQuery({
    queryKey: ['paying-account', path],
    enabled,
    queryFn: () =>
      apiGet<{ current: PayingAccountVersion | null; history: PayingAccountVersion[] }>(
        `${path}?purpose=${purpose}`,
      ),
  });
}

/**
 * Shows the stored paying account before a file is made and, to a holder of
 * `payment.paying_account_set`, a form to set or change it (a new version, audited). Not a
 * `<form>` of its own: it sits inside the batch's or the settlement's form.
 */
export function PayingAccountPanel(props: { path: string; purpose: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const roles = useOperator()?.roles ?? [];
  const read = usePayingAccount(props.path, props.purpose);
  const current = read.data?.current ?? null;
  return (
    <div className="stack" data-testid="paying-account">
      <h3>{t('payingAccount.title')}</h3>
      {read.error ? <ProblemNotice error={read.error} /> : null}
      {current ? (
        <p data-testid="paying-account-current">
          {t('payingAccount.current', {
            name: current.name,
            account: current.accountNumber,
            bank: current.bankCode,
            date: format.dateTime(current.setAt),
          })}
        </p>
      ) : read.data ? (
        <p role="status">
          {t('payingAccount.none')}{' '}
          {may(roles, 'payment.paying_account_set') ? '' : t('payingAccount.ask')}
        </p>
      ) : null}
      {read.data && may(roles, 'payment.paying_account_set') ? (
        <PayingAccountForm
          path={props.path}
          purpose={props.purpose}
          expectedVersion={current?.version ?? 0}
          first={current === null}
        />
      ) : null}
    </div>
  );
}

function PayingAccountForm(props: {
  path: string;
  purpose: string;
  expectedVersion: number;
  first: boolean;
}) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [open, setOpen] = useState(props.first);
  const [name, setName] = useState('');
  const [accountNumber, setAccountNumber] = useState('');
  const [bankCode, setBankCode] = useState('');
  const save = useMutation({
    mutationFn: () =>
      apiSend<PayingAccountVersion>('POST', `${props.path}?purpose=${props.purpose}`, {
        name: name.trim(),
        accountNumber: accountNumber.trim(),
        ...(bankCode.trim() === '' ? {} : { bankCode: bankCode.trim() }),
        expectedVersion: props.expectedVersion,
      }),
    onSuccess: () => {
      setOpen(false);
      client.invalidateQueries({ queryKey: ['paying-account', props.path] });
    },
  });
  const ready = name.trim().length > 0 && /^[0-9]{20}$/.test(accountNumber.trim());
  if (!open) {
    return (
      <p className="actions">
        <button type="button" className="button-secondary" onClick={() => setOpen(true)}>
          {t('payingAccount.change')}
        </button>
        {save.data ? <span role="status">{t('payingAccount.saved')}</span> : null}
      </p>
    );
  }
  return (
    // Enter in these fields saves the account: it must not submit the form around it (which
    // would make the batch or settle the day with the account stored before).
    <fieldset
      className="stack"
      onKeyDown={(event) => {
        if (event.key !== 'Enter' || !(event.target instanceof HTMLInputElement)) return;
        event.preventDefault();
        if (ready && !save.isPending) save.mutate();
      }}
    >
      <legend>{props.first ? t('payingAccount.setFirst') : t('payingAccount.change')}</legend>
      <Field label={t('payingAccount.name')} required>
        {(control) => (
          <input
            {...control}
            maxLength={140}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        )}
      </Field>
      <Field label={t('payingAccount.account')} hint={t('payingAccount.accountHint')} required>
        {(control) => (
          <input
            {...control}
            inputMode="numeric"
            value={accountNumber}
            onChange={(e) => setAccountNumber(e.target.value)}
          />
        )}
      </Field>
      <Field label={t('payingAccount.bank')} hint={t('payingAccount.bankHint')}>
        {(control) => (
          <input
            {...control}
            inputMode="numeric"
            value={bankCode}
            onChange={(e) => setBankCode(e.target.value)}
          />
        )}
      </Field>
      <p className="actions">
        <button type="button" disabled={!ready || save.isPending} onClick={() => save.mutate()}>
          {t('payingAccount.save')}
        </button>
        {props.first ? null : (
          <button type="button" className="button-secondary" onClick={() => setOpen(false)}>
            {t('payingAccount.cancel')}
          </button>
        )}
      </p>
      {save.error ? <ProblemNotice error={save.error} /> : null}
    </fieldset>
  );
}
