import { useTranslation } from 'react-i18next';
import { type ControlProps, Field } from './field.js';
import { uinDigits, uinFeedback } from './uin-feedback.js';

/**
 * The ID-number input a person types their own number into: digits kept as typed or pasted
 * ("507 294 6180"), a numeric keypad on a phone, nothing remembered by the browser.
 *
 * @example
 *   <Field label={t('citizen.uin')}>{(control) => <UinInput control={control} value={uin} onValue={setUin} />}</Field>
 */
export function UinInput(props: {
  control: ControlProps;
  value: string;
  onValue: (digits: string) => void;
  onBlur?: (() => void) | undefined;
}) {
  return (
    <input
      {...props.control}
      inputMode="numeric"
      autoComplete="off"
      value={props.value}
      onChange={(event) => props.onValue(uinDigits(event.target.value))}
      onBlur={props.onBlur}
    />
  );
}

/**
 * A person's ID number as a required field: `UinInput` under its label and hint, and once
 * `tried` (the person asked for something with it) what is wrong with the number under it.
 *
 * @example
 *   <UinField label={t('citizen.uin')} hint={t('citizen.uinHint')} value={uin} onValue={setUin} tried={tried} />
 */
export function UinField(props: {
  label: string;
  hint: string;
  value: string;
  onValue: (digits: string) => void;
  tried: boolean;
  onBlur?: () => void;
}) {
  const { t } = useTranslation();
  const problem = uinFeedback(props.value, props.tried);
  return (
    <Field
      label={props.label}
      hint={props.hint}
      error={problem ? t(`uin.problem.${problem}`) : undefined}
      required
    >
      {(control) => (
        <UinInput
          control={control}
          value={props.value}
          onValue={props.onValue}
          onBlur={props.onBlur}
        />
      )}
    </Field>
  );
}

/**
 * A six-digit code from a text message or a slip: digits only, at most six, offered by the
 * phone's keyboard from the message (`one-time-code`).
 *
 * @example
 *   <Field label={t('citizen.code')}>{(control) => <SixDigitCodeInput control={control} value={code} onValue={setCode} />}</Field>
 */
export function SixDigitCodeInput(props: {
  control: ControlProps;
  value: string;
  onValue: (digits: string) => void;
}) {
  return (
    <input
      {...props.control}
      inputMode="numeric"
      autoComplete="one-time-code"
      maxLength={6}
      value={props.value}
      onChange={(event) => props.onValue(event.target.value.replace(/\D/g, ''))}
    />
  );
}
