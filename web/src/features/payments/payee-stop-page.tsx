import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiSend } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { SixDigitCodeInput, UinField } from '../../components/identity-inputs.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { uinFeedback } from '../../components/uin-feedback.js';
import { useOperator } from '../../session/use-session.js';

/**
 * The person stops a held change of their payee account (payouts/README.md, "The person stops a
 * held change"): their ID number and the six-digit code from the text, no sign-in. Every refusal
 * is one answer that does not say which of the two was wrong. Office staff open it from the
 * person's payee account page to type the code for a person who calls; the stop is then
 * recorded under the staff account.
 */
export function PayeeStopPage() {
  const { t } = useTranslation();
  const staff = useOperator();
  const [uin, setUin] = useState('');
  const [code, setCode] = useState('');
  const [tried, setTried] = useState(false);
  const stop = useMutation({
    mutationFn: () => apiSend('POST', '/api/payments/payee-account-stops', { uin, code }),
    onSuccess: () => setCode(''),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (uinFeedback(uin, true) === null && code.length === 6) stop.mutate();
  };
  return (
    <section className="narrow">
      <PageHeading>{t('payeeStop.title')}</PageHeading>
      <p className="lead">{t('payeeStop.lead')}</p>
      {staff === null ? null : (
        <p className="notice" data-testid="payee-stop-staff">
          {t('payeeStop.asStaff', { username: staff.username })}
        </p>
      )}
      <form onSubmit={submit} className="stack">
        <UinField
          label={t('payeeStop.uin')}
          hint={t('payeeStop.uinHint')}
          value={uin}
          onValue={(digits) => {
            setUin(digits);
            stop.reset();
          }}
          tried={tried}
        />
        <Field
          label={t('payeeStop.code')}
          hint={t('payeeStop.codeHint')}
          error={tried && code.length !== 6 ? t('payeeStop.codeIncomplete') : undefined}
          required
        >
          {(control) => (
            <SixDigitCodeInput
              control={control}
              value={code}
              onValue={(digits) => {
                setCode(digits);
                stop.reset();
              }}
            />
          )}
        </Field>
        <button type="submit" disabled={stop.isPending}>
          {t('payeeStop.submit')}
        </button>
      </form>
      <div aria-live="polite">
        {stop.isSuccess ? (
          <p className="notice" role="status" data-testid="payee-stop-answer">
            {t('payeeStop.stopped')}
          </p>
        ) : null}
      </div>
      {stop.error ? (
        <div data-testid="payee-stop-answer">
          <ProblemNotice error={stop.error} />
          <p className="hint">{t('payeeStop.refusedNext')}</p>
        </div>
      ) : null}
    </section>
  );
}
