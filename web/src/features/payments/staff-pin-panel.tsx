import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PinCheckAnswer, PinStateAnswer } from '../../../../src/shared/api/merchants.js';
import { apiSend, withQuery } from '../../api/client.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import {
  type CheckAnswer,
  CheckAnswerFields,
  emptyAnswer,
  MethodChoice,
} from '../second-check/second-check-fields.js';
import { PinField } from './pin-field.js';

type PinCheckMethod = PinCheckAnswer['method'];

const methods: readonly PinCheckMethod[] = ['phone_code', 'two_person'];
const words = 'staffPin';

/**
 * The clerk sets a person's payment PIN at the counter (docs/PAYMENTS-PIN.md), only under a
 * second check the clerk does not control: a code texted to the phone on file that the person
 * reads out, or — no phone — the photo on file compared by the clerk and then by another
 * account, who approves on their own screen (`/pin-approvals`). The person types the PIN. A PIN
 * set without the texted code, or soon after a change of the phone on file, is held for a day;
 * the screen says why and until when.
 */
export function StaffPinPanel(props: { personId: string; photo: string | null }) {
  const { t } = useTranslation();
  const [method, setMethod] = useState<PinCheckMethod>('phone_code');
  const [photoChecked, setPhotoChecked] = useState(false);
  const base = `/api/payments/persons/${props.personId}`;
  const start = useMutation({
    mutationFn: async () =>
      (
        await apiSend<PinCheckAnswer>(
          'POST',
          withQuery(`${base}/pin-checks`, { purpose: 'self' }),
          {
            method,
            ...(method === 'two_person' ? { photoChecked } : {}),
          },
        )
      ).body,
  });
  return (
    <section aria-labelledby="staff-pin-heading" className="panel" data-testid="staff-pin">
      <h2 id="staff-pin-heading">{t('staffPin.title')}</h2>
      <p className="hint">{t('staffPin.explain')}</p>
      {start.data ? (
        <SetPinForm
          base={base}
          check={start.data}
          onRestart={() => {
            setPhotoChecked(false);
            start.reset();
          }}
        />
      ) : (
        <form
          aria-labelledby="staff-pin-heading"
          onSubmit={(event) => {
            event.preventDefault();
            start.mutate();
          }}
        >
          <MethodChoice words={words} methods={methods} value={method} onChange={setMethod} />
          {method === 'two_person' ? (
            <>
              <p className="hint">{t('staffPin.twoPersonExplain')}</p>
              {props.photo === null ? (
                <p className="notice notice-warning">{t('staffPin.noPhoto')}</p>
              ) : null}
              <CheckAnswerFields
                words={words}
                kind="photo"
                photo={props.photo}
                answer={{ ...emptyAnswer, attested: photoChecked }}
                onChange={(answer) => setPhotoChecked(answer.attested)}
              />
            </>
          ) : null}
          {start.error ? <ProblemNotice error={start.error} /> : null}
          <button
            type="submit"
            disabled={start.isPending || (method === 'two_person' && !photoChecked)}
          >
            {method === 'phone_code' ? t('staffPin.sendCode') : t('staffPin.askApproval')}
          </button>
        </form>
      )}
    </section>
  );
}

function SetPinForm(props: { base: string; check: PinCheckAnswer; onRestart: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [answer, setAnswer] = useState<CheckAnswer>(emptyAnswer);
  const [pin, setPin] = useState('');
  const { check } = props;
  const set = useMutation({
    mutationFn: async () =>
      (
        await apiSend<PinStateAnswer>('PUT', withQuery(`${props.base}/pin`, { purpose: 'self' }), {
          pin,
          checkId: check.checkId,
          ...(check.method === 'phone_code' ? { code: answer.code.trim() } : {}),
        })
      ).body,
    onSettled: () => setPin(''),
  });
  if (set.data) {
    return (
      <div role="status" data-testid="staff-pin-done">
        <p>{t('staffPin.done')}</p>
        {set.data.heldUntil ? (
          <p className="notice notice-warning" data-testid="staff-pin-held">
            {t(
              set.data.heldReason === 'phone_changed'
                ? 'staffPin.heldPhoneChanged'
                : 'staffPin.heldUntil',
              { time: format.dateTime(set.data.heldUntil) },
            )}
          </p>
        ) : (
          <p>{t('staffPin.notHeld')}</p>
        )}
      </div>
    );
  }
  return (
    <form
      aria-label={t('staffPin.setTitle')}
      onSubmit={(event) => {
        event.preventDefault();
        set.mutate();
      }}
    >
      <p role="status">
        {check.method === 'phone_code'
          ? t('staffPin.codeSent', { time: format.dateTime(check.expiresAt) })
          : t('staffPin.waitingApproval', { time: format.dateTime(check.expiresAt) })}
      </p>
      {check.method === 'phone_code' ? (
        <CheckAnswerFields words={words} kind="code" answer={answer} onChange={setAnswer} />
      ) : null}
      <PinField
        label={t('staffPin.pin')}
        hint={t('staffPin.pinHint')}
        value={pin}
        onChange={setPin}
        autoComplete="new-password"
      />
      {set.error ? <ProblemNotice error={set.error} /> : null}
      <button type="submit" disabled={set.isPending || !/^[0-9]{4,6}$/.test(pin)}>
        {t('staffPin.set')}
      </button>{' '}
      <button type="button" onClick={props.onRestart}>
        {t('staffPin.restart')}
      </button>
    </form>
  );
}
