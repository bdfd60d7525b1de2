import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** What `GET /api/credentials/trust-anchor` answers (the fields this panel uses). */
interface PublishedAnchor {
  anchor: string;
  verifierSetup: string;
}

const anchorUrl = '/api/credentials/trust-anchor';
const anchorPattern = /^[0-9a-f]{64}$/i;

/**
 * The anchor an address names (`/verify?anchor=HEX`), or null when it names none or a
 * malformed one. A link only fills the field in: the person still loads the list with it.
 */
export function anchorFromAddress(search: string): string | null {
  const value = new URLSearchParams(search).get('anchor')?.trim() ?? '';
  return anchorPattern.test(value) ? value.toLowerCase() : null;
}

/**
 * "Set up a verifier": the server's trust anchor, and a link and QR code that open this
 * verifier on another device with the anchor filled in. Shown only when this server publishes
 * an anchor (a verifier served from elsewhere, or offline, shows nothing).
 */
export function VerifierSetup() {
  const { t } = useTranslation();
  const [published, setPublished] = useState<PublishedAnchor | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void fetch(anchorUrl, { credentials: 'omit' })
      .then((response) => (response.ok ? response.json() : null))
      .then((body: PublishedAnchor | null) => {
        if (live && body && anchorPattern.test(body.anchor)) setPublished(body);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  const link = published ? new URL(published.verifierSetup, window.location.origin).href : null;
  useEffect(() => {
    if (!link) return;
    let live = true;
    void QRCode.toString(link, { type: 'svg', margin: 2 }).then((svg) => {
      if (live) setQr(`data:image/svg+xml;base64,${btoa(svg)}`);
    });
    return () => {
      live = false;
    };
  }, [link]);
  if (!published || !link) return null;
  return (
    <section aria-labelledby="setup-heading" className="panel" data-testid="verifier-setup">
      <h2 id="setup-heading">{t('verifier.setup.title')}</h2>
      <p>{t('verifier.setup.explain')}</p>
      <p>
        <a href={link} data-testid="verifier-setup-link">
          {t('verifier.setup.link')}
        </a>
      </p>
      {qr ? <img src={qr} alt={t('verifier.setup.qr')} width={200} height={200} /> : null}
      <p>
        {t('verifier.setup.anchor')}{' '}
        <code className="mono anchor" data-testid="published-anchor">
          {published.anchor}
        </code>
      </p>
      <p className="hint">{t('verifier.setup.compare')}</p>
    </section>
  );
}
