import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiGet, apiSend } from '../../api/client.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { moneyText } from './money.js';
import type { PayoutBatch } from './money-api.js';

/** A payment to an account other than the person's last paid one (last four characters only). */
interface PayeeChange {
  endToEndId: string;
  amountMinor: string;
  accountKind: 'bank_account' | 'mobile_money';
  bankCode: string | null;
  accountEnding: string;
  previousAccountEnding: string | null;
}

/**
 * The second finance officer's approval of a ready batch (two-person rule): the payments to a
 * new payee account, each to be ticked, then "Approve". The maker is refused by the server
 * (shown as the problem); until the approval the file cannot be downloaded.
 */
export function PayoutApproval(props: { batch: PayoutBatch; purpose: string }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const { batch, purpose } = props;
  const language = i18n.language === 'en' ? 'en' : 'es';
  const [checking, setChecking] = useState(false);
  const [confirmed, setConfirmed] = useState<ReadonlySet<string>>(new Set());
  const changes = useQuery({
    queryKey: ['payout-payee-changes', batch.id],
    enabled: checking,
    queryFn: () =>
      apiGet<{ changes: PayeeChange[] }>(
        `/api/payouts/batches/${batch.id}/payee-changes?purpose=${purpose}`,
      ),
  });
  const approve = useMutation({
    mutationFn: () =>
      apiSend('POST', `/api/payouts/batches/${batch.id}/approval?purpose=${purpose}`, {
        confirmedEndToEndIds: [...confirmed],
      }),
    onSettled: () => client.invalidateQueries({ queryKey: ['payout-batches'] }),
  });
  const list = changes.data?.changes ?? [];
  const toggle = (endToEndId: string) =>
    setConfirmed((before) => {
      const next = new Set(before);
      if (next.has(endToEndId)) next.delete(endToEndId);
      else next.add(endToEndId);
      return next;
    });
  return (
    <section className="stack" data-testid="payout-approval">
      <h4>{t('payouts.approval.title')}</h4>
      <p>{t('payouts.approval.explain')}</p>
      {checking ? null : (
        <button type="button" onClick={() => setChecking(true)}>
          {t('payouts.approval.check')}
        </button>
      )}
      {changes.error ? <ProblemNotice error={changes.error} /> : null}
      {changes.data && list.length === 0 ? <p>{t('payouts.approval.noChanges')}</p> : null}
      {list.length > 0 ? (
        <fieldset>
          <legend>{t('payouts.approval.changes', { count: list.length })}</legend>
          {list.map((change) => (
            <label key={change.endToEndId} className="checkbox-line">
              <input
                type="checkbox"
                checked={confirmed.has(change.endToEndId)}
                onChange={() => toggle(change.endToEndId)}
              />{' '}
              {t(
                change.previousAccountEnding === null
                  ? 'payouts.approval.firstAccount'
                  : 'payouts.approval.changedAccount',
                {
                  endToEndId: change.endToEndId,
                  amount: moneyText(change.amountMinor, batch.currency, language),
                  account: change.accountEnding,
                  previous: change.previousAccountEnding ?? '',
                },
              )}
            </label>
          ))}
        </fieldset>
      ) : null}
      {changes.data ? (
        <button
          type="button"
          disabled={approve.isPending || confirmed.size < list.length}
          onClick={() => approve.mutate()}
        >
          {t('payouts.approval.approve', { file: batch.messageId })}
        </button>
      ) : null}
      {approve.error ? <ProblemNotice error={approve.error} /> : null}
      {approve.isSuccess ? <p role="status">{t('payouts.approval.approved')}</p> : null}
    </section>
  );
}
