import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { MerchantAnswer } from '../../../../src/shared/api/merchants.js';
import { apiSend } from '../../api/client.js';
import { ProblemNotice } from '../../components/problem-notice.js';

/**
 * A merchant's approval state in the list, and the second finance officer's "Approve" (the
 * two-person rule: a merchant is paid nothing until someone other than its registrar approves
 * its settlement account, staff and subsidy shares; the registrar is refused by the server).
 */
export function MerchantApproval(props: {
  merchant: MerchantAnswer;
  purpose: string;
  canApprove: boolean;
}) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const { merchant } = props;
  const approve = useMutation({
    mutationFn: () =>
      apiSend(
        'POST',
        `/api/payments/merchants/${merchant.merchantId}/approval?purpose=${props.purpose}`,
      ),
    onSettled: () => client.invalidateQueries({ queryKey: ['money-merchants'] }),
  });
  if (merchant.approvedAt != null) return null;
  return (
    <div className="stack" data-testid="merchant-awaiting-approval">
      <p>{t('money.merchants.awaitingApproval')}</p>
      {props.canApprove ? (
        <button type="button" disabled={approve.isPending} onClick={() => approve.mutate()}>
          {t('money.merchants.approve', { name: merchant.name })}
        </button>
      ) : null}
      {approve.error ? <ProblemNotice error={approve.error} /> : null}
    </div>
  );
}
