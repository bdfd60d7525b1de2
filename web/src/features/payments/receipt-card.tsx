import { useTranslation } from 'react-i18next';
import type { ReceiptAnswer } from '../../../../src/shared/api/merchants.js';
import { useFormat } from '../../i18n/format.js';
import { moneyText } from './money.js';

/**
 * A payment's receipt, the same for the payer and the merchant: who was paid, the reference,
 * the price and who paid which share. It never names the payer.
 */
export function ReceiptCard({ receipt, testId }: { receipt: ReceiptAnswer; testId?: string }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const money = (minor: string) => moneyText(minor, receipt.currency, i18n.language);
  return (
    <div className="receipt-card" data-testid={testId} data-request={receipt.requestId}>
      <h3>{t('payApp.receipt.title', { merchant: receipt.merchantName })}</h3>
      <dl className="facts">
        <dt>{t('payApp.receipt.reference')}</dt>
        <dd>{receipt.reference}</dd>
        <dt>{t('payApp.receipt.amount')}</dt>
        <dd>{money(receipt.amountMinor)}</dd>
        <dt>{t('payApp.receipt.payer')}</dt>
        <dd>{money(receipt.payerMinor)}</dd>
        {receipt.subsidyMinor !== '0' ? (
          <>
            <dt>{t('payApp.receipt.subsidy')}</dt>
            <dd>{money(receipt.subsidyMinor)}</dd>
          </>
        ) : null}
        <dt>{t('payApp.receipt.when')}</dt>
        <dd>{format.dateTime(receipt.paidAt)}</dd>
        <dt>{t('payApp.receipt.channel')}</dt>
        <dd>{t(`payApp.receipt.channelName.${receipt.channel}`)}</dd>
        <dt>{t('payApp.receipt.number')}</dt>
        <dd>
          <code>{receipt.requestId.slice(0, 8)}</code>
        </dd>
        {receipt.refunds.length > 0 ? (
          <>
            <dt>{t('payApp.receipt.refundedAmount')}</dt>
            <dd data-testid="receipt-refunded">{money(receipt.refundedMinor)}</dd>
            <dt>{t('payApp.receipt.refunded')}</dt>
            <dd>
              <ul className="card-list">
                {receipt.refunds.map((refund) => (
                  <li key={refund.refundId}>
                    {t(
                      receipt.subsidyMinor === '0'
                        ? 'payApp.receipt.refundLineWallet'
                        : 'payApp.receipt.refundLine',
                      {
                        amount: money(refund.amountMinor),
                        time: format.dateTime(refund.refundedAt),
                        payer: money(refund.payerMinor),
                        subsidy: money(refund.subsidyMinor),
                      },
                    )}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        ) : null}
      </dl>
    </div>
  );
}
