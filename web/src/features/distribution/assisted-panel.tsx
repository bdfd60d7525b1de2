import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  AssistedCheckAnswer,
  AssistedMethodValue,
  AssistedReasonValue,
  AssistedStartAnswer,
} from '../../../../src/shared/api/distribution.js';
import { apiSend } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { CameraScanner } from '../verifier/camera-scanner.js';
import { RedeemPanel } from './redeem-panel.js';

const reasons: AssistedReasonValue[] = ['lost', 'not_yet_issued', 'damaged', 'never_had'];
const methods: AssistedMethodValue[] = ['phone_code', 'photo_attested', 'household_card'];

/**
 * Redemption without the card: the ID number, why there is no card, and one second check — a
 * code texted to the phone on file, the photo on file compared with the face (the operator
 * attests it), or a household member's card. Only after the check does the point see what the
 * person may take. Every step is recorded in the person's access history.
 */
export function AssistedPanel({ pointId }: { pointId: string }) {
  const { t } = useTranslation();
  const base = `/api/distribution/points/${pointId}/assisted-redemptions`;
  const [uin, setUin] = useState('');
  const [reason, setReason] = useState<AssistedReasonValue>('lost');
  const [method, setMethod] = useState<AssistedMethodValue>('phone_code');
  const start = useMutation({
    mutationFn: () =>
      apiSend<AssistedStartAnswer>('POST', `${base}?purpose=distribution`, {
        uin: uin.trim(),
        reason,
        method,
      }),
  });
  const started = start.data?.body;
  if (started) {
    return (
      <SecondCheck
        base={base}
        started={started}
        onFinished={() => {
          setUin('');
          start.reset();
        }}
      />
    );
  }
  return (
    <form
      className="pos-assisted"
      onSubmit={(event) => {
        event.preventDefault();
        start.mutate();
      }}
    >
      <Field label={t('pos.assisted.uin')}>
        {(control) => (
          <input
            {...control}
            inputMode="numeric"
            autoComplete="off"
            value={uin}
            onChange={(event) => setUin(event.target.value)}
          />
        )}
      </Field>
      <Field label={t('pos.assisted.reason')}>
        {(control) => (
          <select
            {...control}
            value={reason}
            onChange={(event) => setReason(event.target.value as AssistedReasonValue)}
          >
            {reasons.map((name) => (
              <option key={name} value={name}>
                {t(`pos.assisted.reasons.${name}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <fieldset>
        <legend>{t('pos.assisted.method')}</legend>
        {methods.map((name) => (
          <label key={name} className="choice">
            <input
              type="radio"
              name="pos-method"
              checked={method === name}
              onChange={() => setMethod(name)}
            />{' '}
            {t(`pos.assisted.methods.${name}`)}
          </label>
        ))}
      </fieldset>
      {start.error ? <ProblemNotice error={start.error} /> : null}
      <button type="submit" disabled={!/^\d{10}$/.test(uin.trim()) || start.isPending}>
        {start.isPending ? t('common.wait') : t('pos.assisted.start')}
      </button>
    </form>
  );
}

function SecondCheck(props: {
  base: string;
  started: AssistedStartAnswer;
  onFinished: () => void;
}) {
  const { t } = useTranslation();
  const { started } = props;
  const [code, setCode] = useState('');
  const [attested, setAttested] = useState(false);
  const [memberQr, setMemberQr] = useState('');
  const path = `${props.base}/${started.assistedId}`;
  const check = useMutation({
    mutationFn: () =>
      apiSend<AssistedCheckAnswer>(
        'POST',
        `${path}/check?purpose=distribution`,
        started.method === 'phone_code'
          ? { code: code.trim() }
          : started.method === 'photo_attested'
            ? { attestation: attested }
            : { householdQrText: memberQr.trim() },
      ),
  });
  if (check.data) {
    return (
      <RedeemPanel
        entitlements={check.data.body.entitlements}
        redeemPath={`${path}/redemptions?purpose=distribution`}
        extraBody={{}}
        onFinished={props.onFinished}
      />
    );
  }
  return (
    <form
      className="pos-assisted"
      onSubmit={(event) => {
        event.preventDefault();
        check.mutate();
      }}
    >
      {started.method === 'phone_code' ? (
        <Field label={t('pos.assisted.code')} hint={t('pos.assisted.codeSent')}>
          {(control) => (
            <input
              {...control}
              inputMode="numeric"
              autoComplete="one-time-code"
              value={code}
              onChange={(event) => setCode(event.target.value)}
            />
          )}
        </Field>
      ) : null}
      {started.method === 'photo_attested' ? (
        <>
          {started.photo ? (
            <img
              className="pos-photo"
              src={`data:image/*;base64,${started.photo}`}
              alt={t('pos.assisted.photoAlt')}
            />
          ) : null}
          <label className="choice">
            <input
              type="checkbox"
              checked={attested}
              onChange={(event) => setAttested(event.target.checked)}
            />{' '}
            {t('pos.assisted.attest')}
          </label>
        </>
      ) : null}
      {started.method === 'household_card' ? (
        <>
          <CameraScanner onText={setMemberQr} />
          <Field label={t('pos.assisted.memberQr')}>
            {(control) => (
              <textarea
                {...control}
                rows={3}
                value={memberQr}
                onChange={(event) => setMemberQr(event.target.value)}
              />
            )}
          </Field>
        </>
      ) : null}
      {check.error ? <ProblemNotice error={check.error} /> : null}
      <button type="submit" disabled={check.isPending}>
        {check.isPending ? t('common.wait') : t('pos.assisted.check')}
      </button>{' '}
      <button type="button" onClick={props.onFinished}>
        {t('pos.assisted.cancel')}
      </button>
    </form>
  );
}
