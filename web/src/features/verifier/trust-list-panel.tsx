import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from '../../components/field.js';
import { FilePicker } from '../../components/file-picker.js';
import { useFormat } from '../../i18n/format.js';
import { type BrowserTrustList, readTrustList, TrustListError } from './trust-list-reader.js';
import { storeTrustList } from './trust-list-store.js';

/**
 * Setting up the verifier: the trust anchor (the public key that signs trust lists, 64 hex
 * digits, given by the issuing authority) and a trust list, from a file or an address.
 */
export function TrustListPanel(props: {
  list: BrowserTrustList | null;
  initialAnchor: string;
  /** The anchor came from a set-up link and differs from the one held: say so. */
  fromLink?: boolean;
  onList: (list: BrowserTrustList) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const [anchor, setAnchor] = useState(props.initialAnchor);
  // The issuing server publishes its list here; a verifier served elsewhere uses a file.
  const [url, setUrl] = useState('/api/credentials/trust-list');
  const [file, setFile] = useState<File | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const accept = async (text: string) => {
    try {
      const list = await readTrustList(text, anchor);
      if (!storeTrustList({ text, anchor: anchor.trim(), version: list.version })) {
        setProblem(t('verifier.list.older'));
        return;
      }
      setProblem(null);
      props.onList(list);
    } catch (error) {
      const reason = error instanceof TrustListError ? error.reason : 'malformed';
      setProblem(t(`verifier.list.problem.${reason}`));
    }
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      if (file) await accept(await file.text());
      else if (url.trim()) {
        const response = await fetch(url.trim(), { credentials: 'omit' });
        if (!response.ok) throw new Error(String(response.status));
        await accept(await response.text());
      }
    } catch {
      setProblem(t('verifier.list.problem.download'));
    }
  };
  return (
    <section aria-labelledby="trust-heading" className="panel">
      <h2 id="trust-heading">{t('verifier.list.title')}</h2>
      {props.list ? (
        <p className="notice notice-ok" data-testid="trust-list-status">
          {t('verifier.list.loaded', {
            issuer: props.list.issuerName,
            version: props.list.version,
            count: props.list.keys.length,
            date: format.dateTime(props.list.issuedAt * 1000),
          })}
        </p>
      ) : (
        <p className="notice">{t('verifier.list.none')}</p>
      )}
      {props.fromLink ? (
        <p className="notice notice-warning" data-testid="anchor-from-link">
          {t('verifier.list.fromLink')}
        </p>
      ) : null}
      <form onSubmit={(event) => void submit(event)}>
        <Field label={t('verifier.list.anchor')} hint={t('verifier.list.anchorHint')} required>
          {(control) => (
            <input
              {...control}
              className="mono"
              spellCheck={false}
              autoComplete="off"
              value={anchor}
              onChange={(event) => setAnchor(event.target.value)}
            />
          )}
        </Field>
        <Field label={t('verifier.list.file')}>
          {(control) => (
            <FilePicker control={control} accept="application/json,.json" onFile={setFile} />
          )}
        </Field>
        <Field label={t('verifier.list.url')} hint={t('verifier.list.urlHint')}>
          {(control) => (
            <input
              {...control}
              inputMode="url"
              value={url}
              onChange={(event) => setUrl(event.target.value)}
            />
          )}
        </Field>
        {problem ? (
          <p className="notice notice-error" role="alert">
            {problem}
          </p>
        ) : null}
        <button type="submit" className="button-secondary">
          {t('verifier.list.load')}
        </button>
      </form>
    </section>
  );
}
