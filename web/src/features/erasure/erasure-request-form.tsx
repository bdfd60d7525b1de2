import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { uinDigits, uinFeedback } from '../../components/uin-feedback.js';
import { type ErasureGround, erasureGrounds, useErasureRequest } from './erasure-api.js';

const referencePattern = /^(?=.*[0-9])[A-Za-z0-9][A-Za-z0-9./_:#-]*$/;

/** The first step: the ID number and ground from the order; a second administrator approves. */
export function ErasureRequestForm() {
  const { t } = useTranslation();
  const [uin, setUin] = useState('');
  const [ground, setGround] = useState<ErasureGround>('court_order');
  const [reference, setReference] = useState('');
  const [tried, setTried] = useState(false);
  const request = useErasureRequest();
  const serverError = (field: string) =>
    request.error instanceof ApiError
      ? request.error.fieldProblems.find((problem) => problem.field === `body/${field}`)?.reason
      : undefined;
  // Problems found here block the submission; the server's refusals are shown on the field
  // until it is edited, and never block a corrected submission.
  const uinProblem = uinFeedback(uin, tried);
  const local = {
    // Checked as it is typed, with the server's rules: a typo in the check digit shows at once.
    uin: uinProblem ? t(`uin.problem.${uinProblem}`) : undefined,
    reference:
      reference === '' || (referencePattern.test(reference) && reference.length <= 40)
        ? undefined
        : t('erasure.form.referenceRule'),
  };
  const errors = {
    uin: local.uin ?? serverError('uin'),
    reference: local.reference ?? serverError('reference'),
  };
  // An edit clears the server's last refusal: it was about the value before the edit.
  const edit = (set: (value: string) => void, value: string) => {
    if (request.error) request.reset();
    set(value);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (uinFeedback(uin, true) !== null || local.reference !== undefined) return;
    request.mutate(
      { uin, reasonCode: ground, ...(reference === '' ? {} : { reference }) },
      {
        onSuccess: () => {
          setUin('');
          setReference('');
          setTried(false);
        },
      },
    );
  };
  return (
    <form className="panel" onSubmit={submit} noValidate aria-labelledby="erasure-form-heading">
      <h2 id="erasure-form-heading">{t('erasure.form.title')}</h2>
      <Field
        label={t('erasure.form.uin')}
        hint={t('erasure.form.uinRule')}
        error={errors.uin}
        required
      >
        {(control) => (
          <input
            {...control}
            inputMode="numeric"
            autoComplete="off"
            value={uin}
            onChange={(event) => edit(setUin, uinDigits(event.target.value))}
          />
        )}
      </Field>
      <Field label={t('erasure.form.ground')}>
        {(control) => (
          <select
            {...control}
            value={ground}
            onChange={(event) => setGround(event.target.value as ErasureGround)}
          >
            {erasureGrounds.map((value) => (
              <option key={value} value={value}>
                {t(`erasure.ground.${value}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        label={t('erasure.form.reference')}
        hint={t('erasure.form.referenceRule')}
        error={tried ? errors.reference : undefined}
      >
        {(control) => (
          <input
            {...control}
            autoComplete="off"
            value={reference}
            onChange={(event) => edit(setReference, event.target.value.trim())}
          />
        )}
      </Field>
      <button type="submit" disabled={request.isPending}>
        {request.isPending ? t('common.wait') : t('erasure.form.submit')}
      </button>
      {request.isSuccess ? (
        <p role="status">{t('erasure.form.filed', { uin: request.data.uin })}</p>
      ) : null}
      {request.error ? <ProblemNotice error={request.error} /> : null}
    </form>
  );
}
