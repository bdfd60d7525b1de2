import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Purpose } from '../../api/types.js';

/**
 * Asks why the operator opens a record before anything is read (safeguard 2). Only the
 * purposes the operator's roles allow for the action are offered; the choice is written to
 * the audit log with the read, and the person will see it.
 *
 * @example
 *   <PurposePicker purposes={purposesFor(roles, 'person.read')} onChoose={open} />
 */
export function PurposePicker(props: {
  purposes: readonly Purpose[];
  initial?: Purpose | undefined;
  onChoose: (purpose: Purpose) => void;
  submitLabel: string;
}) {
  const { t } = useTranslation();
  const first = props.initial && props.purposes.includes(props.initial) ? props.initial : undefined;
  const [chosen, setChosen] = useState<Purpose | undefined>(
    first ?? (props.purposes.length === 1 ? props.purposes[0] : undefined),
  );
  if (props.purposes.length === 0) {
    return (
      <p className="notice notice-error" role="alert">
        {t('purpose.none')}
      </p>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (chosen) props.onChoose(chosen);
  };
  return (
    <form onSubmit={submit} className="purpose-picker">
      <fieldset>
        <legend>{t('purpose.question')}</legend>
        <p className="hint">{t('purpose.recorded')}</p>
        {props.purposes.map((purpose) => (
          <label key={purpose} className="choice">
            <input
              type="radio"
              name="purpose"
              value={purpose}
              checked={chosen === purpose}
              onChange={() => setChosen(purpose)}
            />
            <span>
              <strong>{t(`purpose.name.${purpose}`)}</strong>
              <span className="choice-hint">{t(`purpose.describe.${purpose}`)}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={chosen === undefined}>
        {props.submitLabel}
      </button>
    </form>
  );
}
