import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiSend, withQuery } from '../../api/client.js';
import type { Purpose } from '../../api/types.js';
import { ProblemNotice } from '../../components/problem-notice.js';

/** The reasons `POST /api/credentials/:id/revoke` accepts (`ReasonSchema` on the server). */
export const revocationReasons = ['lost', 'stolen', 'reissued', 'deceased'] as const;
export type RevocationReason = (typeof revocationReasons)[number];

interface Revoked {
  credentialId: string;
  reason: RevocationReason;
  revocationListVersion: number;
}

/**
 * Revokes one card for a registry supervisor, after a reason is chosen and the revocation
 * confirmed in a second step. The API has no listing of a person's cards yet, so the console
 * knows a card's id only from the issuance answer: this sits in the card panel, under the card
 * just issued.
 *
 * @example
 *   <RevokeCard credentialId={card.credentialId} purpose="enrolment" />
 */
export function RevokeCard({ credentialId, purpose }: { credentialId: string; purpose: Purpose }) {
  const { t } = useTranslation();
  const selectId = useId();
  const [reason, setReason] = useState<RevocationReason>('lost');
  const [confirming, setConfirming] = useState(false);
  const revoke = useMutation({
    mutationFn: async () =>
      (
        await apiSend<Revoked>(
          'POST',
          withQuery(`/api/credentials/${encodeURIComponent(credentialId)}/revoke`, { purpose }),
          { reason },
        )
      ).body,
  });
  if (revoke.data) {
    return (
      <p role="status" data-testid="card-revoked">
        {t('card.revoke.done', {
          reason: t(`card.revoke.reason.${revoke.data.reason}`),
          version: revoke.data.revocationListVersion,
        })}
      </p>
    );
  }
  return (
    <div className="revoke-card">
      <div className="field">
        <label htmlFor={selectId}>{t('card.revoke.reasonLabel')}</label>
        <select
          id={selectId}
          value={reason}
          disabled={confirming}
          // Safe: the options are exactly `revocationReasons`.
          onChange={(event) => setReason(event.currentTarget.value as RevocationReason)}
        >
          {revocationReasons.map((value) => (
            <option key={value} value={value}>
              {t(`card.revoke.reason.${value}`)}
            </option>
          ))}
        </select>
      </div>
      {confirming ? (
        <div role="alertdialog" aria-labelledby={`${selectId}-confirm`}>
          <p id={`${selectId}-confirm`}>
            {t('card.revoke.confirmQuestion', { reason: t(`card.revoke.reason.${reason}`) })}
          </p>
          <ul className="actions">
            <li>
              <button type="button" onClick={() => revoke.mutate()} disabled={revoke.isPending}>
                {revoke.isPending ? t('common.wait') : t('card.revoke.confirm')}
              </button>
            </li>
            <li>
              <button
                type="button"
                onClick={() => setConfirming(false)}
                disabled={revoke.isPending}
              >
                {t('card.revoke.cancel')}
              </button>
            </li>
          </ul>
        </div>
      ) : (
        <button type="button" onClick={() => setConfirming(true)}>
          {t('card.revoke.button')}
        </button>
      )}
      {revoke.error ? <ProblemNotice error={revoke.error} /> : null}
    </div>
  );
}
