import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiSend, withQuery } from '../../../api/client.js';
import type { Purpose } from '../../../api/types.js';
import { ConfirmStep } from '../../../components/confirm-step.js';
import { Field } from '../../../components/field.js';
import { ProblemNotice } from '../../../components/problem-notice.js';
import { isGeneralProblem, serverFieldReasons } from './write-problems.js';

/**
 * Records a death (registry supervisors): the date, then a confirmation in words, since the
 * record stops being active and the person's card is revoked in the same write. The server's
 * field error (a date before birth, not a calendar date) shows on the date field.
 */
export function DeathForm(props: {
  personId: string;
  purpose: Purpose;
  onDone: () => Promise<unknown>;
}) {
  const { t } = useTranslation();
  const [date, setDate] = useState('');
  const [confirming, setConfirming] = useState(false);
  const record = useDeathRecorder(props, date, () => setConfirming(false));
  const today = new Date().toISOString().slice(0, 10);
  const local =
    date === '' ? t('validation.required') : date > today ? t('validation.future') : undefined;
  const [submitted, setSubmitted] = useState(false);
  const server = serverFieldReasons(record.error).dateOfDeath;
  const error =
    (submitted ? local : undefined) ??
    (server ? t('validation.server', { reason: server }) : undefined);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!local) setConfirming(true);
  };
  return (
    <form onSubmit={submit} noValidate aria-labelledby="death-heading" className="panel">
      <h2 id="death-heading">{t('changes.death.title')}</h2>
      <p className="hint">{t('changes.death.explain')}</p>
      <Field label={t('changes.death.date')} error={error} required>
        {(control) => (
          <input
            {...control}
            type="date"
            max={today}
            value={date}
            disabled={confirming}
            onChange={(event) => setDate(event.target.value)}
          />
        )}
      </Field>
      {confirming ? (
        <ConfirmStep
          question={t('changes.death.question', { date })}
          confirmLabel={t('changes.death.confirm')}
          pending={record.isPending}
          onConfirm={() => record.mutate()}
          onCancel={() => setConfirming(false)}
        />
      ) : (
        <button type="submit">{t('changes.death.submit')}</button>
      )}
      {record.error && isGeneralProblem(record.error) ? (
        <ProblemNotice error={record.error} />
      ) : null}
    </form>
  );
}

/** The death write, with one client id per recorded death (a retry is answered, not repeated). */
function useDeathRecorder(
  props: { personId: string; purpose: Purpose; onDone: () => Promise<unknown> },
  date: string,
  onSettled: () => void,
) {
  const clientId = useRef(crypto.randomUUID());
  return useMutation({
    mutationFn: async () =>
      (
        await apiSend<{ status: string; version: number }>(
          'POST',
          withQuery(`/api/persons/${props.personId}/death`, { purpose: props.purpose }),
          { clientId: clientId.current, dateOfDeath: date },
        )
      ).body,
    onSuccess: async () => {
      clientId.current = crypto.randomUUID();
      await props.onDone();
    },
    onSettled: onSettled,
  });
}
