import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  AssistedMethodValue,
  AssistedReasonValue,
} from '../../../../src/shared/api/distribution.js';
import type {
  CounterAssistedListAnswer,
  CounterAssistedStartAnswer,
  ReceiptAnswer,
} from '../../../../src/shared/api/merchants.js';
import { apiGet, apiSend } from '../../api/client.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
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
import { moneyText } from './money.js';
import { PinField } from './pin-field.js';
import { ReceiptCard } from './receipt-card.js';

const words = 'merchantApp.assisted';

const methods: AssistedMethodValue[] = ['phone_code', 'photo_attested', 'household_card'];

/**
 * For a payer with neither a phone nor the card (issue #16 point 5, safeguard 9): the staff types
 * the payer's ID number, the payer types their PIN, the staff says why there is no card and picks
 * a second check. Only after ID number and PIN pass does the server text the code or show the
 * photo; any refusal before that is one message, whoever the number names.
 */
export function CounterAssistedPayment(props: { merchantId: string; token: string }) {
  const { t } = useTranslation();
  const [uin, setUin] = useState('');
  const [pin, setPin] = useState('');
  const [reason, setReason] = useState<AssistedReasonValue>('lost');
  const [method, setMethod] = useState<AssistedMethodValue>('phone_code');
  const base = `/api/payments/merchants/${props.merchantId}/assisted-payments`;
  const start = useMutation({
    mutationFn: () =>
      apiSend<CounterAssistedStartAnswer>('POST', `${base}?purpose=distribution`, {
        token: props.token,
        uin: uin.trim(),
        pin,
        reason,
        method,
      }),
    onSettled: () => setPin(''),
  });
  if (start.data) {
    return <CounterAssistedCheck base={base} token={props.token} started={start.data.body} />;
  }
  return (
    <details>
      <summary>{t('merchantApp.assisted.title')}</summary>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          start.mutate();
        }}
      >
        <p className="hint">{t('merchantApp.assisted.explain')}</p>
        <UinField words={words} value={uin} onChange={setUin} />
        <PinField label={t('merchantApp.counter.pin')} value={pin} onChange={setPin} />
        <ReasonField words={words} value={reason} onChange={setReason} />
        <MethodChoice words={words} methods={methods} value={method} onChange={setMethod} />
        {start.error ? (
          <ProblemNotice
            error={start.error}
            fieldText={(problem) => secondCheckRefusalText(t, problem, method)}
          />
        ) : null}
        <button type="submit" disabled={!isUin(uin) || start.isPending}>
          {t('merchantApp.assisted.start')}
        </button>
      </form>
    </details>
  );
}

function CounterAssistedCheck(props: {
  base: string;
  token: string;
  started: CounterAssistedStartAnswer;
}) {
  const { t } = useTranslation();
  const [answer, setAnswer] = useState<CheckAnswer>(emptyAnswer);
  const { method, assistedId, photo } = props.started;
  const pay = useMutation({
    mutationFn: () =>
      apiSend<ReceiptAnswer>('POST', `${props.base}/${assistedId}/pay?purpose=distribution`, {
        token: props.token,
        ...(method === 'phone_code' ? { code: answer.code.trim() } : {}),
        ...(method === 'photo_attested' && answer.attested ? { attestation: true } : {}),
        ...(method === 'household_card' ? { householdQrText: answer.memberCard.trim() } : {}),
      }),
  });
  if (pay.data) return <ReceiptCard receipt={pay.data.body} testId="assisted-receipt" />;
  return (
    <form
      aria-label={t('merchantApp.assisted.checkTitle')}
      onSubmit={(event) => {
        event.preventDefault();
        pay.mutate();
      }}
    >
      <h3>{t('merchantApp.assisted.checkTitle')}</h3>
      <CheckAnswerFields
        words={words}
        kind={answerKind(method)}
        photo={photo}
        answer={answer}
        onChange={setAnswer}
      />
      {pay.error ? (
        <ProblemNotice
          error={pay.error}
          fieldText={(problem) => secondCheckRefusalText(t, problem, method)}
        />
      ) : null}
      <button type="submit" disabled={pay.isPending}>
        {t('merchantApp.counter.pay')}
      </button>
    </form>
  );
}

/**
 * The supervisor's (finance officer's, auditor's) list of a merchant's tries at paying without
 * the card on a day: staff member, reason, check, outcome, price; never the person.
 */
export function CounterAssistedList(props: { merchantId: string; purpose: string }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const [open, setOpen] = useState(false);
  const list = useQuery({
    queryKey: ['counter-assisted', props.merchantId, props.purpose],
    enabled: open,
    queryFn: () =>
      apiGet<CounterAssistedListAnswer>(
        `/api/payments/merchants/${props.merchantId}/assisted-payments?purpose=${props.purpose}`,
      ),
  });
  return (
    <details onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>{t('money.merchants.assisted.title')}</summary>
      {list.error ? <ProblemNotice error={list.error} /> : null}
      {list.data ? (
        <>
          <p>
            {t('money.merchants.assisted.count', {
              count: list.data.tries.length,
              max: list.data.triesMax,
            })}
          </p>
          <ul data-testid="counter-assisted-list">
            {list.data.tries.map((each) => (
              <li key={each.assistedId}>
                {format.dateTime(each.startedAt)} ·{' '}
                {moneyText(each.amountMinor, each.currency, i18n.language)} ·{' '}
                {t(`merchantApp.assisted.reasons.${each.reason}`)} ·{' '}
                {t(`merchantApp.assisted.methods.${each.method}`)} ·{' '}
                <strong>{t(`money.merchants.assisted.outcome.${each.outcome}`)}</strong>
                {each.codeAttempts > 0
                  ? ` · ${t('money.merchants.assisted.wrongCodes', { count: each.codeAttempts })}`
                  : ''}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </details>
  );
}
