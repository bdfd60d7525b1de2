import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { WalletAnswer } from '../../../../src/shared/api/merchants.js';
import { apiGet, withQuery } from '../../api/client.js';
import type { Purpose } from '../../api/types.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { moneyText } from './money.js';

const historyPageSize = 20;

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
