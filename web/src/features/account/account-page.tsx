import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, apiSend } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useOperator } from '../../session/use-session.js';

/** The password policy's length bounds (`accessLimits.password`); the server decides the rest. */
const lengthMin = 12;

/**
 * The operator's own password. After an administrator created the account or reset it, this
 * is the only page the console opens (and the server refuses everything else) until the
 * operator has chosen a password nobody else has seen.
 */
export function AccountPage() {
  const { t } = useTranslation();
  const me = useOperator();
  const client = useQueryClient();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [tried, setTried] = useState(false);
  const change = useMutation({
    mutationFn: () => apiSend('POST', '/api/auth/password', { current, next }),
    onSuccess: () => {
      setCurrent('');
      setNext('');
      setTried(false);
      void client.invalidateQueries({ queryKey: ['me'] });
    },
  });
  const policy =
    change.error instanceof ApiError
      ? change.error.fieldProblems
          .filter((problem) => problem.field === 'body/next')
          .map((problem) => t(`account.policy.${problem.reason}`, { defaultValue: problem.reason }))
          .join(' ')
      : '';
  const tooShort = [...next].length < lengthMin ? t('account.policy.too_short') : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (current === '' || tooShort) return;
    change.mutate();
  };
  return (
    <section>
      <PageHeading>{t('account.title')}</PageHeading>
      {me?.passwordChangeRequired ? <p role="alert">{t('account.required')}</p> : null}
      {change.isSuccess ? <p role="status">{t('account.changed')}</p> : null}
      <form className="panel" onSubmit={submit} noValidate>
        <Field
          label={t('account.current')}
          error={tried && current === '' ? t('account.missing') : undefined}
          required
        >
          {(control) => (
            <input
              {...control}
              type="password"
              autoComplete="current-password"
              value={current}
              onChange={(event) => setCurrent(event.target.value)}
            />
          )}
        </Field>
        <Field
          label={t('account.next')}
          hint={t('account.nextHint')}
          error={(tried ? tooShort : undefined) ?? (policy || undefined)}
          required
        >
          {(control) => (
            <input
              {...control}
              type="password"
              autoComplete="new-password"
              value={next}
              onChange={(event) => setNext(event.target.value)}
            />
          )}
        </Field>
        <button type="submit" disabled={change.isPending}>
          {change.isPending ? t('common.wait') : t('account.submit')}
        </button>
        {change.error && !policy ? <ProblemNotice error={change.error} /> : null}
      </form>
    </section>
  );
}
