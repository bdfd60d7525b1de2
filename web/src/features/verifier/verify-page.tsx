import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from '../../components/field.js';
import { PageHeading } from '../../components/page-heading.js';
import { useFormat } from '../../i18n/format.js';
import { type BrowserVerdict, judgeInBrowser } from './judge-in-browser.js';
import { qrTextFromImage } from './qr-from-image.js';
import { TrustListPanel } from './trust-list-panel.js';
import { type BrowserTrustList, readTrustList } from './trust-list-reader.js';
import { storedTrustList } from './trust-list-store.js';

/**
 * The offline card verifier: the QR text (pasted, typed by a scanner, or read from a photo of
 * the card) is checked in this browser against the trust list; nothing is sent anywhere.
 */
export function VerifyPage() {
  const { t } = useTranslation();
  const [list, setList] = useState<BrowserTrustList | null>(null);
  const [text, setText] = useState('');
  const [imageProblem, setImageProblem] = useState<string | null>(null);
  const [verdict, setVerdict] = useState<BrowserVerdict | null>(null);
  const [busy, setBusy] = useState(false);
  const stored = storedTrustList();
  useEffect(() => {
    const held = storedTrustList();
    // A stored list is checked again on every load: localStorage is not a trusted place.
    if (held) void readTrustList(held.text, held.anchor).then(setList, () => setList(null));
  }, []);
  const readImage = async (file: File | undefined) => {
    if (!file) return;
    setImageProblem(null);
    setVerdict(null);
    try {
      const found = await qrTextFromImage(file);
      if (found) setText(found);
      else setImageProblem(t('verifier.card.noQr'));
    } catch {
      setImageProblem(t('verifier.card.badImage'));
    }
  };
  const verify = async () => {
    if (!list) return;
    setBusy(true);
    setVerdict(await judgeInBrowser(text, list, Date.now() / 1000));
    setBusy(false);
  };
  return (
    <section>
      <PageHeading>{t('verifier.title')}</PageHeading>
      <p className="lead">{t('verifier.lead')}</p>
      <TrustListPanel list={list} initialAnchor={stored?.anchor ?? ''} onList={setList} />
      <section aria-labelledby="card-heading" className="panel">
        <h2 id="card-heading">{t('verifier.card.title')}</h2>
        <Field label={t('verifier.card.image')} hint={t('verifier.card.imageHint')}>
          {(control) => (
            <input
              {...control}
              type="file"
              accept="image/*"
              capture="environment"
              onChange={(event) => void readImage(event.target.files?.[0])}
            />
          )}
        </Field>
        {imageProblem ? (
          <p className="notice notice-error" role="alert">
            {imageProblem}
          </p>
        ) : null}
        <Field label={t('verifier.card.text')} hint={t('verifier.card.textHint')}>
          {(control) => (
            <textarea
              {...control}
              className="mono"
              rows={4}
              spellCheck={false}
              value={text}
              onChange={(event) => {
                setText(event.target.value);
                setVerdict(null);
              }}
            />
          )}
        </Field>
        <button type="button" onClick={() => void verify()} disabled={!list || !text || busy}>
          {t('verifier.card.verify')}
        </button>
        {!list ? <p className="hint">{t('verifier.card.needList')}</p> : null}
      </section>
      <div aria-live="polite">{verdict ? <VerdictView verdict={verdict} /> : null}</div>
    </section>
  );
}

function VerdictView({ verdict }: { verdict: BrowserVerdict }) {
  const { t } = useTranslation();
  const format = useFormat();
  const ok = verdict.status === 'valid';
  const fields = verdict.fields;
  return (
    <section
      className={`panel verdict ${ok ? 'verdict-ok' : 'verdict-bad'}`}
      aria-labelledby="verdict-heading"
      data-testid="verdict"
      data-status={verdict.status}
    >
      <h2 id="verdict-heading">
        <span aria-hidden="true">{ok ? '✓ ' : '✗ '}</span>
        {t(`verifier.status.${verdict.status}`)}
      </h2>
      <p>{t(`verifier.explain.${verdict.status}`)}</p>
      {fields ? (
        <dl className="attributes">
          {fields.photoDataUrl ? (
            <div className="attribute">
              <dt>{t('attribute.photo')}</dt>
              <dd>
                <img className="photo" src={fields.photoDataUrl} alt={t('attribute.photoAlt')} />
              </dd>
            </div>
          ) : null}
          <Row label={t('verifier.field.fullName')} value={fields.fullName} />
          <Row label={t('person.uin')} value={fields.uin} mono />
          <Row
            label={t('attribute.birth_date')}
            value={fields.dateOfBirth ? format.date(isoDate(fields.dateOfBirth)) : undefined}
          />
          <Row
            label={t('attribute.sex')}
            value={fields.sex ? t(`verifier.sex.${fields.sex}`) : undefined}
          />
          <Row
            label={t('verifier.field.expires')}
            value={fields.expiresAt ? format.dateTime(fields.expiresAt * 1000) : undefined}
          />
          <Row label={t('verifier.field.issuer')} value={fields.issuer} />
        </dl>
      ) : null}
    </section>
  );
}

function Row(props: { label: string; value: string | undefined; mono?: boolean }) {
  if (props.value === undefined) return null;
  return (
    <div className="attribute">
      <dt>{props.label}</dt>
      <dd className={props.mono ? 'mono' : undefined}>{props.value}</dd>
    </div>
  );
}

/** Claim 169 writes dates of birth as YYYYMMDD; Intl wants YYYY-MM-DD. */
function isoDate(value: string): string {
  return /^\d{8}$/.test(value)
    ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)}`
    : value;
}
