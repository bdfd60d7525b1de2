import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { apiGet, withQuery } from '../../api/client.js';
import type { PersonCards } from '../../api/types.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';

/**
 * The citizen's own card: whether it is valid and until when, and the card itself as an image
 * or a PDF (`GET /api/persons/:id/card.png?purpose=self`, produced again by the server from the
 * record it was signed from; audited as `credential.read`). Without a valid card, it says where
 * to get one.
 *
 * @example
 *   <MyCard personId={person.id} />
 */
export function MyCard({ personId }: { personId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const cards = useQuery({
    queryKey: ['my-cards', personId],
    queryFn: () =>
      apiGet<PersonCards>(withQuery(`/api/persons/${personId}/credentials`, { purpose: 'self' })),
  });
  if (cards.isPending) return <p aria-live="polite">{t('common.loading')}</p>;
  if (cards.error) return <ProblemNotice error={cards.error} />;
  const active = cards.data.credentials.find((card) => card.status === 'active');
  const latest = cards.data.credentials[0];
  if (!active) {
    return (
      <div data-testid="my-card" data-status="none">
        <p>{t('citizen.myCardNone')}</p>
        {latest?.revokedAt && latest.revocationReason ? (
          <p className="hint">
            {t('citizen.myCardRevoked', {
              date: format.dateTime(latest.revokedAt),
              reason: t(`card.revoke.reason.${latest.revocationReason}`),
            })}
          </p>
        ) : null}
      </div>
    );
  }
  const link = (kind: 'png' | 'pdf') =>
    withQuery(`/api/persons/${personId}/card.${kind}`, { purpose: 'self' });
  return (
    <div data-testid="my-card" data-status="active">
      <p>
        <strong>{t('citizen.myCardActive', { date: format.dateTime(active.expiresAt) })}</strong>{' '}
        {t('citizen.myCardIssued', { date: format.dateTime(active.issuedAt) })}
      </p>
      <ul className="actions">
        <li>
          <a href={link('png')} download="amparo-card.png" data-testid="my-card-png">
            {t('citizen.myCardPng')}
          </a>
        </li>
        <li>
          <a href={link('pdf')} download="amparo-card.pdf" data-testid="my-card-pdf">
            {t('citizen.myCardPdf')}
          </a>
        </li>
      </ul>
    </div>
  );
}
