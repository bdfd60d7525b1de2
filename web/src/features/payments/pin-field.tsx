import { Field } from '../../components/field.js';

/**
 * A payment PIN typed on the device: 4 to 6 digits, hidden, a numeric keypad on phones. The
 * payment app, the PIN's first choice and the merchant's counter use the same field.
 */
export function PinField(props: {
  label: string;
  hint?: string;
  value: string;
  onChange: (value: string) => void;
  /** `new-password` when the person chooses it, so the browser offers to keep it nowhere else. */
  autoComplete?: 'off' | 'new-password';
}) {
  return (
    <Field label={props.label} hint={props.hint} required>
      {(control) => (
        <input
          {...control}
          type="password"
          inputMode="numeric"
          autoComplete={props.autoComplete ?? 'off'}
          pattern="[0-9]{4,6}"
          value={props.value}
          onChange={(event) => props.onChange(event.target.value)}
        />
      )}
    </Field>
  );
}
