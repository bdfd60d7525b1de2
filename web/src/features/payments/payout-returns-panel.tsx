import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { apiGet, apiSend } from '../../api/client.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { moneyText } from './money.js';
import { PayoutReturnRejection } from './payout-return-rejection.js';

/** A return a statement reported, waiting for a second finance officer (`GET /api/payouts/returns`). */
interface PendingReturn {
  instructionId: string;
  endToEndId: string;
  batchId: string;
  currency: 'VES' | 'USD';
  amountMinor: string;
  reason: string | null;
  bookingDate: string | null;
  /** The bank's own reference of the movement: what the checker quotes to the bank. */
  bankReference: string | null;
  fileFormat: string;
  reportedAt: string;
  reportedByYou: boolean;
}

/**
 * The returns a statement reported that wait for a second finance officer (migration 0131; the
 * review of session 17): until one confirms, the money is in suspense and the entitlement stays
 * paid, so one officer's hand-made statement cannot free settled payouts for another batch. The
 * uploader sees their own returns without a confirm or reject button, and why. Each shows the
 * bank's own reference of the movement, which the second officer can check with the bank:
 * everything else on the line is whatever the statement's author wrote. A return the bank did
 * not make is rejected beside the confirm button, with a reason (migration 0135).
 */
export function PayoutReturnsPanel(props: {
  purpose: string;
  canConfirm: boolean;
  canReject: boolean;
}) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const language = i18n.language === 'en' ? 'en' : 'es';
  const returns = useQuery({
    queryKey: ['payout-returns'],
    queryFn: () =>
      apiGet<{ returns: PendingReturn[] }>(`/api/payouts/returns?purpose=${props.purpose}`),
  });
  const refresh = () => {
    client.invalidateQueries({ queryKey: ['payout-returns'] });
    client.invalidateQueries({ queryKey: ['payout-batches'] });
    client.invalidateQueries({ queryKey: ['payout-batch-payments'] });
  };
  const confirm = useMutation({
    mutationFn: (item: PendingReturn) =>
      apiSend(
        'POST',
        `/api/payouts/returns/${item.instructionId}/confirmation?purpose=${props.purpose}`,
      ).then(() => item),
    onSettled: refresh,
  });
  const reject = useMutation({
    mutationFn: (sent: { item: PendingReturn; reason: string }) =>
      apiSend<{ status: 'settled' | 'accepted' }>(
        'POST',
        `/api/payouts/returns/${sent.item.instructionId}/rejection?purpose=${props.purpose}`,
        { reason: sent.reason },
      ).then((answer) => ({ endToEndId: sent.item.endToEndId, status: answer.body.status })),
    onSettled: refresh,
  });
  const list = returns.data?.returns ?? [];
  return (
    <section aria-labelledby="payouts-returns-title" data-testid="payout-returns">
      <h2 id="payouts-returns-title">{t('payouts.returns.title')}</h2>
      <p>{t('payouts.returns.explain')}</p>
      {returns.error ? <ProblemNotice error={returns.error} /> : null}
      {confirm.error ? <ProblemNotice error={confirm.error} /> : null}
      {reject.error ? <ProblemNotice error={reject.error} /> : null}
      {reject.data ? (
        <p role="status">
          {t(`payouts.returns.rejected_${reject.data.status}`, {
            endToEndId: reject.data.endToEndId,
          })}
        </p>
      ) : null}
      {confirm.data ? (
        <p role="status">
          {t('payouts.returns.confirmed', { endToEndId: confirm.data.endToEndId })}
        </p>
      ) : null}
      {returns.data && list.length === 0 ? <p>{t('payouts.returns.none')}</p> : null}
      <ul className="card-list">
        {list.map((item) => (
          <li key={item.instructionId} data-return={item.endToEndId}>
            <p>
              {t('payouts.returns.line', {
                endToEndId: item.endToEndId,
                amount: moneyText(item.amountMinor, item.currency, language),
                bookingDate: item.bookingDate ?? '—',
                reason: item.reason ?? t('payouts.returns.noReason'),
                format: item.fileFormat,
                reportedAt: format.dateTime(item.reportedAt),
              })}
            </p>
            <p>
              {item.bankReference === null
                ? t('payouts.returns.noBankReference')
                : t('payouts.returns.bankReference', { reference: item.bankReference })}
            </p>
            {(props.canConfirm || props.canReject) && item.reportedByYou ? (
              <p>{t('payouts.returns.yours')}</p>
            ) : null}
            {props.canConfirm && !item.reportedByYou ? (
              <button
                type="button"
                disabled={confirm.isPending}
                onClick={() => confirm.mutate(item)}
              >
                {t('payouts.returns.confirm', { endToEndId: item.endToEndId })}
              </button>
            ) : null}
            {props.canReject && !item.reportedByYou ? (
              <PayoutReturnRejection
                endToEndId={item.endToEndId}
                pending={reject.isPending}
                onReject={(reason) => reject.mutate({ item, reason })}
              />
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
