import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiGet, apiSend, withQuery } from '../../api/client.js';
import type { CardFacts, PersonCards, Purpose } from '../../api/types.js';
import { ConfirmStep } from '../../components/confirm-step.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { RevokeCard, type Revoked } from './revoke-card.js';

interface Issued {
  credentialId: string;
  expiresAt: string;
  replacedCredentialId: string | null;
  qrText: string;
}

export interface CardPanelProps {
  personId: string;
  purpose: Purpose;
  /** True when the roles may issue a card under this purpose and the person is active. */
  canIssue: boolean;
  /** True when the roles may download the active card to print it (`credential.download`). */
  canDownload: boolean;
  /** True when the roles may revoke a card under this purpose (registry supervisors). */
  canRevoke: boolean;
}

/**
 * The person's cards: every card with its status and dates (`GET /api/persons/:id/credentials`,
 * audited as a read under the chosen purpose); issue a first card or reissue (the server
 * revokes the previous card as `reissued` in the same transaction); print the active card as
 * PNG or PDF; and, for a supervisor, revoke the active card after a reason and a confirmation.
 */
export function CardPanel({ personId, purpose, canIssue, canDownload, canRevoke }: CardPanelProps) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [revoked, setRevoked] = useState<Revoked | null>(null);
  const cardsKey = ['cards', personId, purpose];
  const cards = useQuery({
    queryKey: cardsKey,
    queryFn: () =>
      apiGet<PersonCards>(withQuery(`/api/persons/${personId}/credentials`, { purpose })),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: cardsKey });
  const active = cards.data?.credentials.find((card) => card.status === 'active');
  return (
    <section aria-labelledby="card-heading" className="panel">
      <h2 id="card-heading">{t('card.title')}</h2>
      <p className="hint">{t('card.explain')}</p>
      {cards.error ? <ProblemNotice error={cards.error} /> : null}
      {cards.data ? <CardList cards={cards.data} purpose={purpose} canPrint={canDownload} /> : null}
      {canIssue && cards.data ? (
        <IssueCard
          personId={personId}
          purpose={purpose}
          hasActive={active !== undefined}
          onIssued={() => {
            setRevoked(null);
            return refresh();
          }}
        />
      ) : null}
      {active && canRevoke ? (
        <RevokeCard
          key={active.credentialId}
          credentialId={active.credentialId}
          purpose={purpose}
          onRevoked={(answer) => {
            setRevoked(answer);
            return refresh();
          }}
        />
      ) : null}
      {revoked ? (
        <p role="status" data-testid="card-revoked">
          {t('card.revoke.done', {
            reason: t(`card.revoke.reason.${revoked.reason}`),
            version: revoked.revocationListVersion,
          })}
        </p>
      ) : null}
    </section>
  );
}

/** Every card, newest first; the active one with its print links when the roles may print. */
function CardList(props: { cards: PersonCards; purpose: Purpose; canPrint: boolean }) {
  const { t } = useTranslation();
  const { credentials, truncated } = props.cards;
  if (credentials.length === 0) return <p data-testid="no-cards">{t('card.none')}</p>;
  return (
    <>
      <ul className="card-list" data-testid="card-list">
        {credentials.map((card) => (
          <CardLine key={card.credentialId} card={card} {...props} />
        ))}
      </ul>
      {truncated ? <p className="hint">{t('card.truncated')}</p> : null}
    </>
  );
}

function CardLine({
  card,
  purpose,
  canPrint,
}: {
  card: CardFacts;
  purpose: Purpose;
  canPrint: boolean;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <li data-status={card.status} data-testid="card-line">
      <p>
        <strong>{t(`card.status.${card.status}`)}</strong>{' '}
        <span className="mono">{t('card.number', { id: card.credentialId.slice(0, 8) })}</span>
      </p>
      <p>
        {t('card.dates', {
          issued: format.dateTime(card.issuedAt),
          expires: format.dateTime(card.expiresAt),
        })}{' '}
        <span className="hint">{t('card.key', { kid: card.kid })}</span>
      </p>
      {card.revokedAt && card.revocationReason ? (
        <p>
          {t('card.revokedOn', {
            date: format.dateTime(card.revokedAt),
            reason: t(`card.revoke.reason.${card.revocationReason}`),
          })}
        </p>
      ) : null}
      {card.status === 'active' && canPrint ? (
        <PrintLinks
          links={(kind) =>
            withQuery(`/api/credentials/${card.credentialId}/card.${kind}`, { purpose })
          }
          name={`amparo-card-${card.credentialId}`}
        />
      ) : null}
    </li>
  );
}

/** PNG and PDF links for one card; `links` gives the address of each. */
export function PrintLinks(props: { links: (kind: 'png' | 'pdf') => string; name: string }) {
  const { t } = useTranslation();
  return (
    <ul className="actions">
      {(['png', 'pdf'] as const).map((kind) => (
        <li key={kind}>
          <a
            href={props.links(kind)}
            download={`${props.name}.${kind}`}
            data-testid={`card-${kind}`}
          >
            {t(`card.download.${kind}`)}
          </a>
        </li>
      ))}
    </ul>
  );
}

/**
 * "Issue a card", or "reissue" (after a confirmation) when an active card exists. One client id
 * per attempt, kept until it succeeds: a retry after a lost answer gives the same card, not two.
 */
function IssueCard(props: {
  personId: string;
  purpose: Purpose;
  hasActive: boolean;
  onIssued: () => Promise<unknown>;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const clientId = useRef(crypto.randomUUID());
  const [confirming, setConfirming] = useState(false);
  const issue = useMutation({
    mutationFn: async () =>
      (
        await apiSend<Issued>(
          'POST',
          withQuery(`/api/persons/${props.personId}/credentials`, { purpose: props.purpose }),
          { clientId: clientId.current },
        )
      ).body,
    onSuccess: async () => {
      clientId.current = crypto.randomUUID();
      setConfirming(false);
      await props.onIssued();
    },
  });
  const issued = issue.data;
  return (
    <div className="issue-card">
      {issued ? (
        <p role="status" data-testid="card-issued">
          {t('card.issued', { date: format.dateTime(issued.expiresAt) })}
          {issued.replacedCredentialId ? ` ${t('card.replaced')}` : ''}
        </p>
      ) : null}
      {confirming ? (
        <ConfirmStep
          question={t('card.reissueQuestion')}
          confirmLabel={t('card.reissueConfirm')}
          pending={issue.isPending}
          onConfirm={() => issue.mutate()}
          onCancel={() => setConfirming(false)}
        />
      ) : (
        <button
          type="button"
          disabled={issue.isPending}
          onClick={() => (props.hasActive ? setConfirming(true) : issue.mutate())}
        >
          {props.hasActive ? t('card.reissue') : t('card.issue')}
        </button>
      )}
      {issue.error ? <ProblemNotice error={issue.error} /> : null}
    </div>
  );
}
