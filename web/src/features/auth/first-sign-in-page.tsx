import { useMutation } from '@tanstack/react-query';
import QRCode from 'qrcode';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError, apiSend } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** 160 random bits from this browser, in RFC 4648 base32: the person's own TOTP secret. */
function newTotpSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += base32Alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/**
 * A new staff member's first sign-in (or after a reset): with the two code halves their two
 * administrators gave them, they choose their own password and add an authenticator key made
 * here, in their browser. No administrator ever knows either (docs/ACCESS.md).
 */
export function FirstSignInPage() {
  const { t } = useTranslation();
  const [secret] = useState(newTotpSecret);
  const [qr, setQr] = useState<string | null>(null);
  const [form, setForm] = useState({
    username: '',
    firstCode: '',
    secondCode: '',
    password: '',
    totp: '',
  });
  useEffect(() => {
    let live = true;
    const label = encodeURIComponent(`Amparo:${form.username || 'amparo'}`);
    const uri = `otpauth://totp/${label}?secret=${secret}&issuer=Amparo&algorithm=SHA1&digits=6&period=30`;
    void QRCode.toString(uri, { type: 'svg', margin: 2 }).then((svg) => {
      if (live) setQr(`data:image/svg+xml;base64,${btoa(svg)}`);
    });
    return () => {
      live = false;
    };
  }, [secret, form.username]);
  const enrol = useMutation({
    mutationFn: () => apiSend('POST', '/api/auth/enrol', { ...form, totpSecret: secret }),
  });
  const set = (key: keyof typeof form) => (value: string) => {
    if (enrol.error) enrol.reset();
    setForm({ ...form, [key]: value });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    enrol.mutate();
  };
  const policy =
    enrol.error instanceof ApiError
      ? enrol.error.fieldProblems.find((problem) => problem.field === 'body/password')?.reason
      : undefined;
  const refused = enrol.error instanceof ApiError && enrol.error.status === 401;
  if (enrol.isSuccess) {
    return (
      <section className="narrow">
        <PageHeading>{t('firstSignIn.title')}</PageHeading>
        <p role="status" className="notice">
          {t('firstSignIn.done')}
        </p>
        <Link to="/sign-in">{t('signIn.submit')}</Link>
      </section>
    );
  }
  const text = (
    key: keyof typeof form,
    label: string,
    extra: { hint?: string; type?: string; autoComplete?: string } = {},
  ) => (
    <Field
      label={label}
      hint={extra.hint}
      required
      error={key === 'password' && policy ? t(`account.policy.${policy}`, policy) : undefined}
    >
      {(control) => (
        <input
          {...control}
          type={extra.type ?? 'text'}
          autoComplete={extra.autoComplete ?? 'off'}
          value={form[key]}
          onChange={(event) => set(key)(event.target.value)}
        />
      )}
    </Field>
  );
  return (
    <section className="narrow">
      <PageHeading>{t('firstSignIn.title')}</PageHeading>
      <p className="hint">{t('firstSignIn.lead')}</p>
      <form onSubmit={submit}>
        {text('username', t('signIn.username'), { autoComplete: 'username' })}
        {text('firstCode', t('firstSignIn.firstCode'), { hint: t('firstSignIn.codeHint') })}
        {text('secondCode', t('firstSignIn.secondCode'), { hint: t('firstSignIn.codeHint') })}
        {text('password', t('account.next'), {
          hint: t('account.nextHint'),
          type: 'password',
          autoComplete: 'new-password',
        })}
        <h2>{t('firstSignIn.authenticator')}</h2>
        <p className="hint">{t('firstSignIn.authenticatorHint')}</p>
        {qr ? <img src={qr} alt={t('firstSignIn.qr')} width={200} height={200} /> : null}
        <p className="mono" data-testid="totp-secret">
          {secret}
        </p>
        {text('totp', t('signIn.totp'), {
          hint: t('signIn.totpHint'),
          autoComplete: 'one-time-code',
        })}
        {refused ? (
          <p className="notice notice-error" role="alert">
            {t('firstSignIn.refused')}
          </p>
        ) : enrol.error && !policy ? (
          <ProblemNotice error={enrol.error} />
        ) : null}
        <button type="submit" disabled={enrol.isPending}>
          {enrol.isPending ? t('common.wait') : t('firstSignIn.submit')}
        </button>
      </form>
    </section>
  );
}
