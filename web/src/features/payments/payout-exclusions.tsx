import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { apiGet } from '../../api/client.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { moneyText } from './money.js';
import type { PayoutBatch } from './money-api.js';

/** An entitlement a batch's request named but left out (`GET …/exclusions`): ids only. */
interface PayoutExclusion {
  seq: number;
  entitlementId: string;
  personId: string;
  amountMinor: string;
  reason: 'no_payee_account' | 'payee_account_held' | 'payee_account_phone_changed';
  heldUntil: string | null;
}

/**
 * The persons a batch left out because they had no usable payee account (none set, or one set
 * without the texted code and still held), each with a link to set it, so that no one is
 * dropped unseen. The first page only: a longer list says how many in the batch's figures.
 */
export function PayoutExclusions(props: { batch: PayoutBatch; purpose: string }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const { batch, purpose } = props;
  const language = i18n.language === 'en' ? 'en' : 'es';
  const exclusions = useQuery({
    queryKey: ['payout-batch-exclusions', batch.id],
    queryFn: () =>
      apiGet<{ exclusions: PayoutExclusion[] }>(
        `/api/payouts/batches/${batch.id}/exclusions?purpose=${purpose}`,
      ),
  });
  return (
    <section aria-labelledby={`exclusions-${batch.id}`}>
      <h4 id={`exclusions-${batch.id}`}>{t('payouts.exclusions.title')}</h4>
      <p>{t('payouts.exclusions.explain')}</p>
      {exclusions.error ? <ProblemNotice error={exclusions.error} /> : null}
      <ul className="card-list payout-ids" data-testid="batch-exclusions">
        {exclusions.data?.exclusions.map((exclusion) => (
          <li key={exclusion.seq}>
            {t('payouts.exclusions.line', {
              entitlementId: exclusion.entitlementId,
              amount: moneyText(exclusion.amountMinor, batch.currency, language),
              reason: t(`payouts.exclusions.reasons.${exclusion.reason}`, {
                date: exclusion.heldUntil === null ? '' : format.dateTime(exclusion.heldUntil),
              }),
            })}{' '}
            <Link to={`/persons/${exclusion.personId}/payee-account`}>
              {t('payouts.exclusions.fix')}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
