import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ApiError, apiSend } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { SixDigitCodeInput, UinField } from '../../components/identity-inputs.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { uinFeedback } from '../../components/uin-feedback.js';
import { rememberCitizenUin } from './citizen-uin.js';

/**
 * Citizen sign-in (docs/CITIZEN-SIGN-IN.md): the ID number, then a six-digit code that came
 * by SMS or on a slip from an office. The person may skip the SMS step when they hold a slip.
 */
export function CitizenSignInPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [uin, setUin] = useState('');
  const [code, setCode] = useState('');
  const [codeRequested, setCodeRequested] = useState(false);
  // Set once the person asks for a code or signs in: then a short number is pointed out too.
  const [tried, setTried] = useState(false);
  const uinValid = uinFeedback(uin, true) === null;
  const [submitted, setSubmitted] = useState(false);
  const start = useMutation({
    mutationFn: () => apiSend('POST', '/api/citizen/sign-in/start', { uin }),
    onSuccess: () => setCodeRequested(true),
  });
  const verify = useMutation({
    mutationFn: () => apiSend('POST', '/api/citizen/sign-in/verify', { uin, code }),
    onSuccess: async () => {
      rememberCitizenUin(uin);
      await client.invalidateQueries({ queryKey: ['me'] });
      navigate('/citizen/me');
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    setSubmitted(true);
    if (uinValid && code.length === 6) verify.mutate();
  };
  const refused = verify.error instanceof ApiError && verify.error.status === 401;
  return (
    <section className="narrow">
      <PageHeading>{t('citizen.signInTitle')}</PageHeading>
      <p className="lead">{t('citizen.signInLead')}</p>
      <form onSubmit={submit}>
        <UinField
          label={t('citizen.uin')}
          hint={t('citizen.uinHint')}
          value={uin}
          onValue={setUin}
          tried={tried}
          onBlur={() => uin !== '' && setTried(true)}
        />
        <div className="actions">
          <button
            type="button"
            className="button-secondary"
            disabled={start.isPending}
            onClick={() => {
              setTried(true);
              if (uinValid) start.mutate();
            }}
          >
            {t('citizen.sendCode')}
          </button>
        </div>
        {codeRequested ? (
          <p className="notice" role="status">
            {t('citizen.codeSent')} {t('citizen.codeReplaces')}
          </p>
        ) : null}
        {start.error ? <ProblemNotice error={start.error} /> : null}
        <Field
          label={t('citizen.code')}
          hint={t('citizen.codeHint')}
          error={submitted && code.length !== 6 ? t('citizen.codeIncomplete') : undefined}
          required
        >
          {(control) => <SixDigitCodeInput control={control} value={code} onValue={setCode} />}
        </Field>
        {refused ? (
          <p className="notice notice-error" role="alert">
            {t('citizen.refused')}
          </p>
        ) : verify.error ? (
          <ProblemNotice error={verify.error} />
        ) : null}
        <button type="submit" disabled={verify.isPending}>
          {t('citizen.signIn')}
        </button>
      </form>
    </section>
  );
}
