import { useMutation } from '@tanstack/react-query';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { apiSend, withQuery } from '../../api/client.js';
import type { Purpose } from '../../api/types.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { RevokeCard } from './revoke-card.js';

interface Issued {
  credentialId: string;
  expiresAt: string;
  replacedCredentialId: string | null;
  qrText: string;
}

/**
 * Issues the person's card (a new one revokes the previous) and offers it as PNG or PDF for
 * printing. Issuing and downloading are audited under the chosen purpose. A supervisor may
 * revoke the card just issued (the API lists no cards, so only that one is known here).
 */
export function CardPanel({
  personId,
  purpose,
  canRevoke,
}: {
  personId: string;
  purpose: Purpose;
  /** True when the roles may revoke a card under this purpose (registry supervisors). */
  canRevoke: boolean;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  // One id per person page: pressing the button twice gives the same card, not two.
  const clientId = useRef(crypto.randomUUID());
  const issue = useMutation({
    mutationFn: async () =>
      (
        await apiSend<Issued>(
          'POST',
          withQuery(`/api/persons/${personId}/credentials`, { purpose }),
          { clientId: clientId.current },
        )
      ).body,
  });
  const card = issue.data;
  return (
    <section aria-labelledby="card-heading" className="panel">
      <h2 id="card-heading">{t('card.title')}</h2>
      <p className="hint">{t('card.explain')}</p>
      {card ? (
        <div role="status">
          <p>
            {t('card.issued', { date: format.dateTime(card.expiresAt) })}
            {card.replacedCredentialId ? ` ${t('card.replaced')}` : ''}
          </p>
          <ul className="actions">
            {(['png', 'pdf'] as const).map((kind) => (
              <li key={kind}>
                <a
                  href={withQuery(`/api/credentials/${card.credentialId}/card.${kind}`, {
                    purpose,
                  })}
                  download={`amparo-card-${card.credentialId}.${kind}`}
                  data-testid={`card-${kind}`}
                >
                  {t(`card.download.${kind}`)}
                </a>
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <button type="button" onClick={() => issue.mutate()} disabled={issue.isPending}>
          {t('card.issue')}
        </button>
      )}
      {card && canRevoke ? <RevokeCard credentialId={card.credentialId} purpose={purpose} /> : null}
      {issue.error ? <ProblemNotice error={issue.error} /> : null}
    </section>
  );
}
