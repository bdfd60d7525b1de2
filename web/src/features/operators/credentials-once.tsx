import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ShownCredentials } from './operator-api.js';

/**
 * The first (or reset) password and authenticator secret of an account, shown once: the
 * server keeps only a hash and a sealed secret. The QR code is the `otpauth://` address an
 * authenticator app scans; the secret is also written out for typing.
 */
export function CredentialsOnce(props: {
  username: string;
  credentials: ShownCredentials;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const [qr, setQr] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void QRCode.toString(props.credentials.otpauthUri, { type: 'svg', margin: 2 }).then((svg) => {
      if (live) setQr(`data:image/svg+xml;base64,${btoa(svg)}`);
    });
    return () => {
      live = false;
    };
  }, [props.credentials.otpauthUri]);
  return (
    <section className="panel" aria-labelledby="credentials-heading" data-testid="credentials">
      <h2 id="credentials-heading">
        {t('operators.credentials.title', { username: props.username })}
      </h2>
      <p role="alert">{t('operators.credentials.once')}</p>
      <dl>
        <dt>{t('operators.credentials.password')}</dt>
        <dd className="mono" data-testid="first-password">
          {props.credentials.password}
        </dd>
        <dt>{t('operators.credentials.secret')}</dt>
        <dd className="mono" data-testid="totp-secret">
          {props.credentials.totpSecretBase32}
        </dd>
      </dl>
      {qr ? <img src={qr} alt={t('operators.credentials.qr')} width={200} height={200} /> : null}
      <p className="hint">{t('operators.credentials.change')}</p>
      <button type="button" onClick={props.onDone}>
        {t('operators.credentials.done')}
      </button>
    </section>
  );
}
