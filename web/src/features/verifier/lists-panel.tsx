import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { relativeAge } from './list-age.js';

/**
 * The ages of the two lists the offline verifier relies on, and a button that refreshes both
 * from this server. A verifier at a distribution point sees at a glance how stale they are.
 */
export function ListsPanel(props: {
  trustFetchedAtMs: number | null;
  trustVersion: number | null;
  revocationsFetchedAtMs: number | null;
  revocationsVersion: number | null;
  busy: boolean;
  problem: string | null;
  onRefresh: () => void;
}) {
  const { t, i18n } = useTranslation();
  const [nowMs, setNowMs] = useState(Date.now());
  useEffect(() => {
    // Ages are shown in minutes; a tick a minute keeps them honest on a page left open.
    const timer = setInterval(() => setNowMs(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  const age = (atMs: number | null, version: number | null) =>
    atMs === null
      ? t('verifier.lists.never')
      : `${t('verifier.lists.age', { age: relativeAge(i18n.language, atMs, Math.max(nowMs, atMs)) })} · ${t('verifier.lists.version', { version })}`;
  return (
    <section aria-labelledby="lists-heading" className="panel">
      <h2 id="lists-heading">{t('verifier.lists.title')}</h2>
      <dl className="attributes">
        <div className="attribute">
          <dt>{t('verifier.lists.trust')}</dt>
          <dd data-testid="trust-list-age">{age(props.trustFetchedAtMs, props.trustVersion)}</dd>
        </div>
        <div className="attribute">
          <dt>{t('verifier.lists.revocations')}</dt>
          <dd data-testid="revocation-list-age">
            {age(props.revocationsFetchedAtMs, props.revocationsVersion)}
          </dd>
        </div>
      </dl>
      {props.problem ? (
        <p className="notice notice-error" role="alert">
          {props.problem}
        </p>
      ) : null}
      <button
        type="button"
        className="button-secondary"
        disabled={props.busy}
        onClick={props.onRefresh}
      >
        {props.busy ? t('verifier.lists.refreshing') : t('verifier.lists.refresh')}
      </button>
    </section>
  );
}
