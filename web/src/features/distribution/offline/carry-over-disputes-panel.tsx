import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CarryOverDisputeAnswer } from '../../../../../src/shared/api/distribution-offline.js';
import { apiGet, apiSend } from '../../../api/client.js';
import { Field } from '../../../components/field.js';
import { ProblemNotice } from '../../../components/problem-notice.js';

const purpose = 'purpose=distribution';

/**
 * The point's carry-over disputes (migrations 0154, 0155): what a late offline receipt found
 * handed out twice, and the supervisor's one decision on each — written off, or what the person
 * chose to bring back. Nothing is ever taken back from the person; no person is named.
 */
export function CarryOverDisputesPanel({ pointId }: { pointId: string }) {
  const { t } = useTranslation();
  const key = ['distribution-carry-over-disputes', pointId];
  const listing = useQuery({
    queryKey: key,
    queryFn: () =>
      apiGet<{ disputes: CarryOverDisputeAnswer[] }>(
        `/api/distribution/points/${pointId}/carry-over-disputes?${purpose}`,
      ),
  });
  return (
    <section aria-labelledby="disputes-title">
      <h2 id="disputes-title">{t('supervision.disputes.title')}</h2>
      <p>{t('supervision.disputes.hint')}</p>
      {listing.error ? <ProblemNotice error={listing.error} /> : null}
      {listing.data?.disputes.length === 0 ? <p>{t('supervision.disputes.none')}</p> : null}
      <ul className="supervision-cards" data-testid="carry-over-disputes">
        {(listing.data?.disputes ?? []).map((dispute) => (
          <li key={`${dispute.receiptId}-${dispute.item}`}>
            <p>
              {t('supervision.disputes.line', {
                item: dispute.item,
                unit: dispute.unit,
                disputed: dispute.disputed,
              })}
            </p>
            {dispute.decision === null ? (
              <DisputeDecision pointId={pointId} dispute={dispute} listKey={key} />
            ) : (
              <p>
                {t(`supervision.disputes.decided.${dispute.decision.outcome}`, {
                  returned: dispute.decision.quantityReturned,
                  writtenOff: dispute.decision.quantityWrittenOff,
                })}
              </p>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function DisputeDecision(props: {
  pointId: string;
  dispute: CarryOverDisputeAnswer;
  listKey: string[];
}) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [outcome, setOutcome] = useState<'written_off' | 'returned'>('written_off');
  const [returned, setReturned] = useState('1');
  const [reason, setReason] = useState('');
  const decide = useMutation({
    mutationFn: () =>
      apiSend(
        'POST',
        `/api/distribution/points/${props.pointId}/carry-over-disputes/${props.dispute.receiptId}/decision?${purpose}`,
        {
          item: props.dispute.item,
          outcome,
          reason: reason.trim(),
          ...(outcome === 'returned' ? { quantityReturned: Number(returned) } : {}),
        },
      ),
    onSuccess: () => void client.invalidateQueries({ queryKey: props.listKey }),
  });
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        decide.mutate();
      }}
    >
      <Field label={t('supervision.disputes.outcome')}>
        {(control) => (
          <select
            {...control}
            value={outcome}
            onChange={(event) => setOutcome(event.target.value as typeof outcome)}
          >
            <option value="written_off">{t('supervision.disputes.outcomes.written_off')}</option>
            <option value="returned">{t('supervision.disputes.outcomes.returned')}</option>
          </select>
        )}
      </Field>
      {outcome === 'returned' ? (
        <Field label={t('supervision.disputes.returned')}>
          {(control) => (
            <input
              {...control}
              type="number"
              min={1}
              max={props.dispute.disputed}
              value={returned}
              onChange={(event) => setReturned(event.target.value)}
            />
          )}
        </Field>
      ) : null}
      <Field label={t('supervision.disputes.reason')}>
        {(control) => (
          <input
            {...control}
            required
            maxLength={500}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
          />
        )}
      </Field>
      {decide.error ? <ProblemNotice error={decide.error} /> : null}
      <button type="submit" disabled={decide.isPending || reason.trim() === ''}>
        {t('supervision.disputes.decide')}
      </button>
    </form>
  );
}
