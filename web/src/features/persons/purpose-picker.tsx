import { type FormEvent, type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import type { Purpose } from '../../api/types.js';
import { PageHeading } from '../../components/page-heading.js';
import { purposesFor } from '../../session/permissions.js';
import { useOperator } from '../../session/use-session.js';

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

/**
 * A page that reads person-level data: until the address names a purpose the operator's roles
 * allow for `person.read`, it shows only the picker under `title`; then it renders `children`
 * with that purpose (which goes into the request and the audit entry).
 *
 * @example
 *   <PurposeGate title={t('person.openTitle')}>{(purpose) => <View purpose={purpose} />}</PurposeGate>
 */
export function PurposeGate(props: { title: string; children: (purpose: Purpose) => ReactNode }) {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const operator = useOperator();
  const purposes = purposesFor(operator?.roles ?? [], 'person.read');
  const purpose = params.get('purpose') as Purpose | null;
  if (purpose !== null && purposes.includes(purpose)) return props.children(purpose);
  return (
    <section className="narrow">
      <PageHeading>{props.title}</PageHeading>
      <PurposePicker
        purposes={purposes}
        initial={(params.get('suggested') as Purpose | null) ?? undefined}
        submitLabel={t('person.open')}
        onChoose={(chosen) => setParams({ purpose: chosen })}
      />
    </section>
  );
}
