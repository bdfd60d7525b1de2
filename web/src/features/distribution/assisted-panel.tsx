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
import { ProblemNotice } from '../../components/problem-notice.js';
import { secondCheckRefusalText } from '../second-check/check-refusal-text.js';
import {
  answerKind,
  type CheckAnswer,
  CheckAnswerFields,
  emptyAnswer,
  isUin,
  MethodChoice,
  ReasonField,
  UinField,
} from '../second-check/second-check-fields.js';
import { RedeemPanel } from './redeem-panel.js';

const methods: AssistedMethodValue[] = ['phone_code', 'photo_attested', 'household_card'];
const words = 'pos.assisted';

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
      <UinField words={words} value={uin} onChange={setUin} />
      <ReasonField words={words} value={reason} onChange={setReason} />
      <MethodChoice words={words} methods={methods} value={method} onChange={setMethod} />
      {start.error ? (
        <ProblemNotice
          error={start.error}
          fieldText={(problem) => secondCheckRefusalText(t, problem, method)}
        />
      ) : null}
      <button type="submit" disabled={!isUin(uin) || start.isPending}>
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
  const [answer, setAnswer] = useState<CheckAnswer>(emptyAnswer);
  const path = `${props.base}/${started.assistedId}`;
  const check = useMutation({
    mutationFn: () =>
      apiSend<AssistedCheckAnswer>(
        'POST',
        `${path}/check?purpose=distribution`,
        started.method === 'phone_code'
          ? { code: answer.code.trim() }
          : started.method === 'photo_attested'
            ? { attestation: answer.attested }
            : { householdQrText: answer.memberCard.trim() },
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
      <CheckAnswerFields
        words={words}
        kind={answerKind(started.method)}
        photo={started.photo}
        codeHint={t('pos.assisted.codeSent')}
        answer={answer}
        onChange={setAnswer}
      />
      {check.error ? (
        <ProblemNotice
          error={check.error}
          fieldText={(problem) => secondCheckRefusalText(t, problem, started.method)}
        />
      ) : null}
      <button type="submit" disabled={check.isPending}>
        {check.isPending ? t('common.wait') : t('pos.assisted.check')}
      </button>{' '}
      <button type="button" onClick={props.onFinished}>
        {t('pos.assisted.cancel')}
      </button>
    </form>
  );
}
