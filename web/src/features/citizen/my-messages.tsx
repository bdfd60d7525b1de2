import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { apiGet, withQuery } from '../../api/client.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';

/** One line of `GET /api/persons/:id/messages` (notifications/routes.ts, MessageLineSchema). */
interface MessageLine {
  id: string;
  queuedAt: string;
  templateId: string;
  language: 'es' | 'en';
  text: string;
  status: 'queued' | 'sending' | 'sent' | 'delivered' | 'failed' | 'expired' | 'cancelled';
  sentAt: string | null;
  deliveredAt: string | null;
  failureReason: string | null;
}

/**
 * The text messages Amparo queued for the person (purpose `self`, audited as
 * `person.messages`): when, the words as sent with codes hidden, and what became of each.
 *
 * @example
 *   <MyMessages personId={person.id} />
 */
export function MyMessages({ personId }: { personId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const messages = useQuery({
    queryKey: ['my-messages', personId],
    queryFn: () =>
      apiGet<{ messages: MessageLine[] }>(
        withQuery(`/api/persons/${personId}/messages`, { purpose: 'self' }),
      ),
  });
  if (messages.isPending) return <p aria-live="polite">{t('common.loading')}</p>;
  if (messages.error) return <ProblemNotice error={messages.error} />;
  if (messages.data.messages.length === 0) return <p>{t('citizen.myMessagesNone')}</p>;
  return (
    <ul className="message-list" data-testid="my-messages">
      {messages.data.messages.map((message) => (
        <li key={message.id} data-status={message.status}>
          <p lang={message.language}>{message.text}</p>
          <p className="hint">
            {t('citizen.messageQueued', { date: format.dateTime(message.queuedAt) })} ·{' '}
            <strong>{t(`citizen.messageStatus.${message.status}`)}</strong>
          </p>
        </li>
      ))}
    </ul>
  );
}
