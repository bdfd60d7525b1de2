import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiSend, withQuery } from '../../api/client.js';
import type { Purpose } from '../../api/types.js';
import { ConfirmStep } from '../../components/confirm-step.js';
import { ProblemNotice } from '../../components/problem-notice.js';

/** The reasons `POST /api/credentials/:id/revoke` accepts (`ReasonSchema` on the server). */
export const revocationReasons = ['lost', 'stolen', 'reissued', 'deceased'] as const;
export type RevocationReason = (typeof revocationReasons)[number];

export interface Revoked {
  credentialId: string;
  reason: RevocationReason;
  revocationListVersion: number;
}

/**
 * Revokes one card for a registry supervisor, after a reason is chosen and the revocation
 * confirmed in a second step. It sits in the card panel under the person's active card;
 * `onRevoked` gets the answer (the panel says what happened and reloads the list).
 *
 * @example
 *   <RevokeCard credentialId={card.credentialId} purpose="enrolment" onRevoked={show} />
 */
export function RevokeCard({
  credentialId,
  purpose,
  onRevoked,
}: {
  credentialId: string;
  purpose: Purpose;
  onRevoked: (revoked: Revoked) => unknown;
}) {
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
    onSuccess: (revoked) => onRevoked(revoked),
  });
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
        <ConfirmStep
          question={t('card.revoke.confirmQuestion', { reason: t(`card.revoke.reason.${reason}`) })}
          confirmLabel={t('card.revoke.confirm')}
          pending={revoke.isPending}
          onConfirm={() => revoke.mutate()}
          onCancel={() => setConfirming(false)}
        />
      ) : (
        <button type="button" onClick={() => setConfirming(true)}>
          {t('card.revoke.button')}
        </button>
      )}
      {revoke.error ? <ProblemNotice error={revoke.error} /> : null}
    </div>
  );
}
