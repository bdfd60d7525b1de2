import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiGet } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { moneyText } from './money.js';

/** One of the ledger's own accounts (`GET /api/payments/ledger-accounts`). */
export interface OwnLedgerAccount {
  accountId: string;
  role: 'program_funding' | 'settlement' | 'suspense' | 'estate';
  currency: 'VES' | 'USD';
  programId: string | null;
  programName: { es: string; en: string } | null;
  subAccount: number | null;
  balanceMinor: string;
  debitsPendingMinor: string;
  creditsPendingMinor: string;
}

interface LedgerAccounts {
  accounts: OwnLedgerAccount[];
  settlementTotals: Array<{ currency: string; balanceMinor: string; subAccounts: number }>;
}

/** The ledger's own accounts, read once per page (the trial balance's gate). */
export function useLedgerAccounts(purpose: string) {
  return useQuery({
    queryKey: ['money-ledger-accounts'],
    queryFn: () => apiGet<LedgerAccounts>(`/api/payments/ledger-accounts?purpose=${purpose}`),
  });
}

/** An account's name as the console says it: "Fondo de Bono (VES)", "Suspenso VES"… */
export function useAccountName() {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'en' ? 'en' : 'es';
  return (account: OwnLedgerAccount) =>
    t(`money.accounts.roles.${account.role}`, {
      program: account.programName?.[language] ?? account.programId ?? '',
      currency: account.currency,
      sub: account.subAccount ?? '',
    });
}

/**
 * The ledger's own accounts with their balances — program funding, the settlement
 * sub-accounts and their sum per currency, suspense, estate — each with its id, so a statement
 * or an adjustment can name one by its name.
 */
export function LedgerAccountsPanel({ purpose }: { purpose: string }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'en' ? 'en' : 'es';
  const name = useAccountName();
  const accounts = useLedgerAccounts(purpose);
  return (
    <section aria-labelledby="money-accounts-title">
      <h2 id="money-accounts-title">{t('money.accounts.title')}</h2>
      <p>{t('money.accounts.explain')}</p>
      {accounts.error ? <ProblemNotice error={accounts.error} /> : null}
      {accounts.data?.accounts.length === 0 ? <p>{t('money.accounts.none')}</p> : null}
      <ul className="card-list payout-ids" data-testid="ledger-accounts">
        {accounts.data?.settlementTotals.map((total) => (
          <li key={`total-${total.currency}`}>
            {t('money.accounts.settlementTotal', {
              currency: total.currency,
              count: total.subAccounts,
              balance: moneyText(total.balanceMinor, total.currency, language),
            })}
          </li>
        ))}
        {accounts.data?.accounts
          .filter((account) => account.role !== 'settlement' || account.subAccount === 0)
          .map((account) => (
            <li key={account.accountId}>
              {t('money.accounts.line', {
                name: name(account),
                balance: moneyText(account.balanceMinor, account.currency, language),
                id: account.accountId,
              })}
            </li>
          ))}
      </ul>
    </section>
  );
}

/**
 * Chooses a ledger account by its name from the ledger's own accounts, or, under "another
 * account", by a typed id (a wallet's or a merchant's, reached from its person or merchant).
 */
export function LedgerAccountField(props: {
  label: string;
  hint?: string;
  purpose: string;
  value: string;
  onChange: (accountId: string) => void;
  required?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'en' ? 'en' : 'es';
  const name = useAccountName();
  const accounts = useLedgerAccounts(props.purpose);
  const list = accounts.data?.accounts ?? [];
  const [typing, setTyping] = useState(false);
  const listed = list.some((account) => account.accountId === props.value);
  const choice = typing ? 'other' : listed ? props.value : '';
  return (
    <>
      <Field label={props.label} hint={props.hint} required={props.required ?? false}>
        {(control) => (
          <select
            {...control}
            value={choice}
            onChange={(e) => {
              const other = e.target.value === 'other';
              setTyping(other);
              props.onChange(other ? '' : e.target.value);
            }}
          >
            <option value="">{t('money.accounts.choose')}</option>
            {list.map((account) => (
              <option key={account.accountId} value={account.accountId}>
                {t('money.accounts.option', {
                  name: name(account),
                  balance: moneyText(account.balanceMinor, account.currency, language),
                })}
              </option>
            ))}
            <option value="other">{t('money.accounts.other')}</option>
          </select>
        )}
      </Field>
      {typing ? (
        <Field label={t('money.accountId')} hint={t('money.accounts.typedHint')} required>
          {(control) => (
            <input
              {...control}
              value={props.value}
              onChange={(e) => props.onChange(e.target.value)}
            />
          )}
        </Field>
      ) : null}
    </>
  );
}
