import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate } from 'react-router';
import { ApiError, apiSend } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useSession } from '../../session/use-session.js';

/**
 * Operator sign-in: user name, password and the six-digit code of the authenticator app
 * (TOTP). One message for every refusal, as the server gives one answer for all of them.
 */
export function SignInPage() {
  const { t } = useTranslation();
  const { me } = useSession();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const signIn = useMutation({
    mutationFn: () => apiSend('POST', '/api/auth/sign-in', { username, password, totp }),
    onSuccess: async () => {
      setPassword('');
      await client.invalidateQueries({ queryKey: ['me'] });
      navigate('/');
    },
  });
  if (me?.kind === 'operator') return <Navigate to="/" replace />;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate();
  };
  const refused = signIn.error instanceof ApiError && signIn.error.status === 401;
  return (
    <section className="narrow">
      <PageHeading>{t('signIn.title')}</PageHeading>
      <form onSubmit={submit} noValidate={false}>
        <Field label={t('signIn.username')} required>
          {(control) => (
            <input
              {...control}
              autoComplete="username"
              value={username}
              onChange={(event) => setUsername(event.target.value)}
            />
          )}
        </Field>
        <Field label={t('signIn.password')} required>
          {(control) => (
            <input
              {...control}
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
          )}
        </Field>
        <Field label={t('signIn.totp')} hint={t('signIn.totpHint')} required>
          {(control) => (
            <input
              {...control}
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              value={totp}
              onChange={(event) => setTotp(event.target.value.replace(/\D/g, ''))}
            />
          )}
        </Field>
        {refused ? (
          <p className="notice notice-error" role="alert">
            {t('signIn.refused')}
          </p>
        ) : signIn.error ? (
          <ProblemNotice error={signIn.error} />
        ) : null}
        <button type="submit" disabled={signIn.isPending}>
          {signIn.isPending ? t('common.wait') : t('signIn.submit')}
        </button>
      </form>
      <p className="hint">
        <Link to="/first-sign-in">{t('firstSignIn.link')}</Link>
      </p>
    </section>
  );
}
