import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Verdict } from '../../../../src/shared/claim169/verdict.js';
import { Field } from '../../components/field.js';
import { FilePicker } from '../../components/file-picker.js';
import { PageHeading } from '../../components/page-heading.js';
import { useFormat } from '../../i18n/format.js';
import { CameraScanner } from './camera-scanner.js';
import { judgeInBrowser } from './judge-in-browser.js';
import { ListsPanel } from './lists-panel.js';
import { qrTextFromImage } from './qr-from-image.js';
import {
  type HeldRevocations,
  loadRevocations,
  markTrustListFetched,
  refreshRevocations,
  trustListFetchedAtMs,
} from './revocation-store.js';
import { TrustListPanel } from './trust-list-panel.js';
import { type BrowserTrustList, readTrustList } from './trust-list-reader.js';
import { storedTrustList, storeTrustList } from './trust-list-store.js';
import { anchorFromAddress, VerifierSetup } from './verifier-setup.js';

const trustListUrl = '/api/credentials/trust-list';
const revocationListUrl = '/api/credentials/revocation-list';

/**
 * The offline card verifier: the QR text (pasted, typed by a scanner, read from a photo of the
 * card or from the camera) is checked in this browser against the trust list and the revocation
 * list; nothing is sent anywhere. The page installs a service worker, so once opened online it
 * opens and verifies with the network off.
 */
export function VerifyPage() {
  const { t } = useTranslation();
  const [list, setList] = useState<BrowserTrustList | null>(null);
  const [text, setText] = useState('');
  const [imageProblem, setImageProblem] = useState<string | null>(null);
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [busy, setBusy] = useState(false);
  const lists = useOfflineLists(setList);
  const stored = storedTrustList();
  // A set-up link (`/verify?anchor=HEX`) fills the anchor in; the list is loaded by the person.
  const [linkedAnchor] = useState(() => anchorFromAddress(window.location.search));
  const verdictRef = useRef<HTMLDivElement>(null);
  const verify = useCallback(
    async (qrText: string) => {
      if (!list || !qrText) return;
      setBusy(true);
      setVerdict(await judgeInBrowser(qrText, list, Date.now() / 1000, lists.held?.revocations));
      setBusy(false);
    },
    [list, lists.held],
  );
  // A scanned or photographed card is judged at once when the lists are there: the verdict is
  // what the person at the counter is waiting for.
  const onScanned = useCallback(
    (found: string) => {
      setText(found);
      setVerdict(null);
      void verify(found);
    },
    [verify],
  );
  const readImage = async (file: File | undefined) => {
    if (!file) return;
    setImageProblem(null);
    setVerdict(null);
    try {
      const found = await qrTextFromImage(file);
      if (found) onScanned(found);
      else setImageProblem(t('verifier.card.noQr'));
    } catch {
      setImageProblem(t('verifier.card.badImage'));
    }
  };
  // On a phone the verdict would sit below the fold: bring it into view when it arrives.
  useEffect(() => {
    if (verdict) verdictRef.current?.scrollIntoView({ block: 'start' });
  }, [verdict]);
  const trustPanel = (
    <TrustListPanel
      list={list}
      initialAnchor={linkedAnchor ?? stored?.anchor ?? ''}
      fromLink={linkedAnchor !== null && linkedAnchor !== stored?.anchor}
      onList={lists.accepted}
    />
  );
  return (
    <section>
      <PageHeading>{t('verifier.title')}</PageHeading>
      <p className="lead">{t('verifier.lead')}</p>
      {/* Setting up comes first only until it is done; then the card and its verdict lead. */}
      {list ? null : trustPanel}
      <section aria-labelledby="card-heading" className="panel">
        <h2 id="card-heading">{t('verifier.card.title')}</h2>
        <Field label={t('verifier.card.image')} hint={t('verifier.card.imageHint')}>
          {(control) => (
            <FilePicker
              control={control}
              accept="image/*"
              capture="environment"
              onFile={(file) => void readImage(file ?? undefined)}
            />
          )}
        </Field>
        <CameraScanner onText={onScanned} />
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
        <button type="button" onClick={() => void verify(text)} disabled={!list || !text || busy}>
          {t('verifier.card.verify')}
        </button>
        {!list ? <p className="hint">{t('verifier.card.needList')}</p> : null}
      </section>
      <div aria-live="polite" ref={verdictRef} className="verdict-anchor">
        {verdict ? <VerdictView verdict={verdict} /> : null}
      </div>
      {list ? trustPanel : null}
      <ListsPanel
        trustFetchedAtMs={list ? lists.trustFetchedAtMs : null}
        trustVersion={list?.version ?? null}
        revocationsFetchedAtMs={lists.held?.fetchedAtMs ?? null}
        revocationsVersion={lists.held?.revocations.version ?? null}
        busy={lists.busy}
        problem={lists.problem}
        onRefresh={() => void lists.refresh(true)}
      />
      <VerifierSetup />
    </section>
  );
}

/**
 * The lists the verifier holds: loaded (and re-verified) from localStorage on mount, refreshed
 * from this server on demand and once on mount when online. Registers the service worker.
 */
function useOfflineLists(setList: (list: BrowserTrustList | null) => void) {
  const { t } = useTranslation();
  const [held, setHeld] = useState<HeldRevocations | null>(null);
  const [trustFetchedAt, setTrustFetchedAt] = useState(trustListFetchedAtMs());
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const refresh = useCallback(
    async (loud: boolean) => {
      const anchor = storedTrustList()?.anchor;
      if (!anchor) {
        if (loud) setProblem(t('verifier.lists.needAnchor'));
        return;
      }
      setBusy(true);
      try {
        const response = await fetch(trustListUrl, { credentials: 'omit', cache: 'no-store' });
        if (!response.ok) throw new Error(String(response.status));
        const listText = await response.text();
        const trust = await readTrustList(listText, anchor);
        // An older list than the one held is not taken; the held one stays current.
        if (storeTrustList({ text: listText, anchor, version: trust.version })) setList(trust);
        const now = Date.now();
        markTrustListFetched(now);
        setTrustFetchedAt(now);
        setHeld(await refreshRevocations(revocationListUrl, anchor));
        setProblem(null);
      } catch {
        if (loud) setProblem(t('verifier.lists.failed'));
      } finally {
        setBusy(false);
      }
    },
    [setList, t],
  );
  useEffect(() => {
    const stored = storedTrustList();
    // A stored list is checked again on every load: localStorage is not a trusted place.
    if (stored) {
      void readTrustList(stored.text, stored.anchor).then(setList, () => setList(null));
      void loadRevocations(stored.anchor).then(setHeld);
    }
    // `vite dev` has no sw.js: the registration then fails quietly and the page works online.
    if ('serviceWorker' in navigator) {
      void navigator.serviceWorker.register('/sw.js', { scope: '/verify' }).catch(() => undefined);
    }
    if (navigator.onLine) void refresh(false);
  }, [refresh, setList]);
  const accepted = (list: BrowserTrustList) => {
    setList(list);
    const now = Date.now();
    markTrustListFetched(now);
    setTrustFetchedAt(now);
    void refresh(false);
  };
  return { held, trustFetchedAtMs: trustFetchedAt, busy, problem, refresh, accepted };
}

function VerdictView({ verdict }: { verdict: Verdict }) {
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
          {fields.facePhoto ? (
            <div className="attribute">
              <dt>{t('attribute.photo')}</dt>
              <dd>
                <img
                  className="photo"
                  src={photoDataUrl(fields.facePhoto)}
                  alt={t('attribute.photoAlt')}
                />
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
            value={fields.expiresAt ? format.dateTime(fields.expiresAt) : undefined}
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

/** Claim 169 image sub-formats (0 png, 1 jpeg, 3 avif, 4 webp); jpeg2000 browsers cannot show. */
const photoTypes: Record<number, string> = {
  0: 'image/png',
  1: 'image/jpeg',
  3: 'image/avif',
  4: 'image/webp',
};

function photoDataUrl(photo: { subFormat?: number; base64: string }): string {
  const type = photoTypes[photo.subFormat ?? -1] ?? 'application/octet-stream';
  return `data:${type};base64,${photo.base64}`;
}

/** Claim 169 writes dates of birth as YYYYMMDD; Intl wants YYYY-MM-DD. */
function isoDate(value: string): string {
  return /^\d{8}$/.test(value)
    ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)}`
    : value;
}
