import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import type { WalletAnswer } from '../../../../src/shared/api/merchants.js';
import { apiGet, withQuery } from '../../api/client.js';
import type { Purpose } from '../../api/types.js';
import { Field } from '../../components/field.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { purposesFor } from '../../session/permissions.js';
import { useOperator } from '../../session/use-session.js';
import { moneyText } from './money.js';

const historyPageSize = 20;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A person's wallet as staff allowed to see it read it (`payment.wallet_read`: a finance officer
 * for distribution or an appeal, an auditor for an audit): whether it is frozen, the balance of
 * each currency, the latest transfers, and the statement of each wallet as CSV and PDF. Each read
 * is audited on the person by the server, with the purpose given.
 */
export function WalletPanel(props: { personId: string; purpose: Purpose }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const wallet = useQuery({
    queryKey: ['wallet', props.personId, props.purpose],
    queryFn: () =>
      apiGet<WalletAnswer>(
        withQuery(`/api/payments/persons/${props.personId}/wallet`, {
          purpose: props.purpose,
          limit: historyPageSize,
        }),
      ),
  });
  const money = (minor: string, currency: string) => moneyText(minor, currency, i18n.language);
  return (
    <section aria-labelledby="wallet-heading" className="panel" data-testid="wallet">
      <h2 id="wallet-heading">{t('wallet.title')}</h2>
      {wallet.isPending ? <p aria-live="polite">{t('common.loading')}</p> : null}
      {wallet.error ? <ProblemNotice error={wallet.error} /> : null}
      {wallet.data?.frozen ? (
        <p className="notice notice-warning">
          {t('wallet.frozen', {
            reason: t(`money.frozen.reasons.${wallet.data.frozenReason}`, {
              defaultValue: wallet.data.frozenReason ?? '',
            }),
          })}
        </p>
      ) : null}
      {wallet.data?.wallets.length === 0 ? <p>{t('wallet.none')}</p> : null}
      <dl className="summary">
        {wallet.data?.wallets.map((each) => (
          <div key={each.accountId}>
            <dt>{t('wallet.balance', { currency: each.currency })}</dt>
            <dd data-testid={`wallet-balance-${each.currency}`}>
              {money(each.balanceMinor, each.currency)}
              {each.reservedMinor !== '0'
                ? ` · ${t('wallet.reserved', { amount: money(each.reservedMinor, each.currency) })}`
                : ''}
            </dd>
            <dd className="actions">
              <a
                href={withQuery(`/api/payments/accounts/${each.accountId}/statement.csv`, {
                  purpose: props.purpose,
                })}
                download
              >
                {t('wallet.statementCsv', { currency: each.currency })}
              </a>{' '}
              <a
                href={withQuery(`/api/payments/accounts/${each.accountId}/statement.pdf`, {
                  purpose: props.purpose,
                })}
                download
              >
                {t('wallet.statementPdf', { currency: each.currency })}
              </a>
            </dd>
          </div>
        ))}
      </dl>
      {wallet.data && wallet.data.history.length > 0 ? (
        <>
          <h3>{t('wallet.history', { count: wallet.data.history.length })}</h3>
          <ul className="plain-list" data-testid="wallet-history">
            {wallet.data.history.map((entry) => (
              <li key={`${entry.transferId}-${entry.direction}`}>
                {format.dateTime(entry.at)} ·{' '}
                {t(`wallet.reasons.${entry.reason}`, { defaultValue: entry.reason })} ·{' '}
                <strong>
                  {entry.direction === 'debit' ? '−' : '+'}
                  {money(entry.amountMinor, entry.currency)}
                </strong>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

/**
 * The wallet screen for staff who do not open the person's record (a finance officer): the
 * person's id (from an appeal, a frozen wallet, a payout) and the purpose, then the wallet.
 */
export function WalletPage() {
  const { t } = useTranslation();
  const operator = useOperator();
  const purposes = purposesFor(operator?.roles ?? [], 'payment.wallet_read');
  const [search, setSearch] = useSearchParams();
  const [personId, setPersonId] = useState(search.get('person') ?? '');
  const [purpose, setPurpose] = useState<Purpose | ''>(purposes[0] ?? '');
  const shown = search.get('person');
  return (
    <article>
      <PageHeading>{t('wallet.pageTitle')}</PageHeading>
      <p className="hint">{t('wallet.pageExplain')}</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setSearch({ person: personId.trim(), purpose });
        }}
      >
        <Field label={t('wallet.personId')} hint={t('wallet.personIdHint')}>
          {(control) => (
            <input
              {...control}
              autoComplete="off"
              value={personId}
              onChange={(event) => setPersonId(event.target.value)}
            />
          )}
        </Field>
        <Field label={t('wallet.purpose')}>
          {(control) => (
            <select
              {...control}
              value={purpose}
              // Safe: the options are exactly `purposes`.
              onChange={(event) => setPurpose(event.target.value as Purpose)}
            >
              {purposes.map((each) => (
                <option key={each} value={each}>
                  {t(`purpose.name.${each}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" disabled={!uuidPattern.test(personId.trim()) || purpose === ''}>
          {t('wallet.open')}
        </button>
      </form>
      {shown !== null &&
      uuidPattern.test(shown) &&
      purposes.includes(search.get('purpose') as Purpose) ? (
        // Safe: the purpose was just checked against the operator's own purposes.
        <WalletPanel personId={shown} purpose={search.get('purpose') as Purpose} />
      ) : null}
    </article>
  );
}
