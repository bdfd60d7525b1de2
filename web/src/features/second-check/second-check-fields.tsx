import { useTranslation } from 'react-i18next';
import type { AssistedReasonValue } from '../../../../src/shared/api/distribution.js';
import { Field } from '../../components/field.js';
import { CameraScanner } from '../verifier/camera-scanner.js';

/**
 * The parts of a second check the clerk does not control (safeguard 9, docs/PAYMENTS-PIN.md),
 * shared by the point of service without a card, the merchant's counter without a card and the
 * staff's PIN screen: the ID number, why there is no card, the choice of check, and then the
 * answer to it — the texted code, the photo on file with the operator's word, or a household
 * member's card. Each screen keeps its own words: `words` names the i18n group that holds
 * `uin`, `reason`, `reasons.*`, `method`, `methods.*`, `code`, `photoAlt`, `attest` and
 * `memberCard`.
 *
 * @example
 *   <MethodChoice words="pos.assisted" methods={['phone_code', 'photo_attested']}
 *     value={method} onChange={setMethod} />
 */
export type CheckWords = 'pos.assisted' | 'merchantApp.assisted' | 'staffPin';

/** What the person or the operator answers to the check chosen. */
export interface CheckAnswer {
  code: string;
  attested: boolean;
  memberCard: string;
}

export const emptyAnswer: CheckAnswer = { code: '', attested: false, memberCard: '' };

const reasons: AssistedReasonValue[] = ['lost', 'not_yet_issued', 'damaged', 'never_had'];

/** The ten-digit ID number, typed at the counter. */
export function UinField(props: {
  words: CheckWords;
  value: string;
  onChange: (value: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <Field label={t(`${props.words}.uin`)}>
      {(control) => (
        <input
          {...control}
          inputMode="numeric"
          autoComplete="off"
          value={props.value}
          onChange={(event) => props.onChange(event.target.value)}
        />
      )}
    </Field>
  );
}

/** True when the text is a whole ID number (ten digits, spaces around ignored). */
export function isUin(text: string): boolean {
  return /^[0-9]{10}$/.test(text.trim());
}

export function ReasonField(props: {
  words: CheckWords;
  value: AssistedReasonValue;
  onChange: (value: AssistedReasonValue) => void;
}) {
  const { t } = useTranslation();
  return (
    <Field label={t(`${props.words}.reason`)}>
      {(control) => (
        <select
          {...control}
          value={props.value}
          // Safe: the options are exactly `reasons`.
          onChange={(event) => props.onChange(event.target.value as AssistedReasonValue)}
        >
          {reasons.map((each) => (
            <option key={each} value={each}>
              {t(`${props.words}.reasons.${each}`)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** The checks offered, as radio buttons: each one readable at 360 px, no menu to open. */
export function MethodChoice<Method extends string>(props: {
  words: CheckWords;
  methods: readonly Method[];
  value: Method;
  onChange: (value: Method) => void;
}) {
  const { t } = useTranslation();
  return (
    <fieldset>
      <legend>{t(`${props.words}.method`)}</legend>
      {props.methods.map((each) => (
        <label key={each} className="choice">
          <input
            type="radio"
            name={`${props.words}-method`}
            checked={props.value === each}
            onChange={() => props.onChange(each)}
          />{' '}
          {t(`${props.words}.methods.${each}`)}
        </label>
      ))}
    </fieldset>
  );
}

/**
 * The answer to the check: the code field (`code`), the photo on file with the operator's word
 * (`photo`), or the household member's card read by the camera or pasted (`card`).
 */
export function CheckAnswerFields(props: {
  words: CheckWords;
  kind: 'code' | 'photo' | 'card';
  /** The photo on file (base64), for `photo`; none shown when null. */
  photo?: string | null;
  codeHint?: string;
  answer: CheckAnswer;
  onChange: (answer: CheckAnswer) => void;
}) {
  const { t } = useTranslation();
  const { answer, words } = props;
  const set = (change: Partial<CheckAnswer>) => props.onChange({ ...answer, ...change });
  if (props.kind === 'code') {
    return (
      <Field label={t(`${words}.code`)} hint={props.codeHint}>
        {(control) => (
          <input
            {...control}
            inputMode="numeric"
            autoComplete="one-time-code"
            value={answer.code}
            onChange={(event) => set({ code: event.target.value })}
          />
        )}
      </Field>
    );
  }
  if (props.kind === 'photo') {
    return (
      <>
        {props.photo ? (
          <img
            className="check-photo"
            src={`data:image/*;base64,${props.photo}`}
            alt={t(`${words}.photoAlt`)}
            data-testid="check-photo"
          />
        ) : null}
        <label className="choice">
          <input
            type="checkbox"
            checked={answer.attested}
            onChange={(event) => set({ attested: event.target.checked })}
          />{' '}
          {t(`${words}.attest`)}
        </label>
      </>
    );
  }
  return (
    <>
      <CameraScanner onText={(text) => set({ memberCard: text })} />
      <Field label={t(`${words}.memberCard`)}>
        {(control) => (
          <textarea
            {...control}
            rows={3}
            value={answer.memberCard}
            onChange={(event) => set({ memberCard: event.target.value })}
          />
        )}
      </Field>
    </>
  );
}

/** The kind of answer field for a check method of either flow. */
export function answerKind(method: string): 'code' | 'photo' | 'card' {
  if (method === 'phone_code') return 'code';
  if (method === 'household_card') return 'card';
  return 'photo';
}
