import { useTranslation } from 'react-i18next';
import {
  type Relationship,
  relationships,
} from '../../../../src/shared/households/relationships.js';
import { Field } from '../../components/field.js';

export { type Relationship, relationships };

/** Where the new person lives: alone for now, a new household they head, or an existing one. */
export type HouseholdValue =
  | { kind: 'none' }
  | { kind: 'new' }
  | { kind: 'existing'; householdId: string; relationship: Relationship };

/** The `household` part of the enrolment body, or nothing. */
export function householdBody(value: HouseholdValue): Record<string, unknown> {
  if (value.kind === 'new') return { household: { new: true, relationship: 'head' } };
  if (value.kind === 'existing') {
    return {
      household: { householdId: value.householdId.trim(), relationship: value.relationship },
    };
  }
  return {};
}

export function HouseholdChoice(props: {
  value: HouseholdValue;
  onChange: (value: HouseholdValue) => void;
}) {
  const { t } = useTranslation();
  const { value } = props;
  const choose = (kind: HouseholdValue['kind']) =>
    props.onChange(
      kind === 'existing' ? { kind, householdId: '', relationship: 'child' } : { kind },
    );
  return (
    <fieldset className="form-group">
      <legend>{t('enrol.household.legend')}</legend>
      {(['none', 'new', 'existing'] as const).map((kind) => (
        <label key={kind} className="choice">
          <input
            type="radio"
            name="household"
            checked={value.kind === kind}
            onChange={() => choose(kind)}
          />
          <span>{t(`enrol.household.${kind}`)}</span>
        </label>
      ))}
      {value.kind === 'existing' ? (
        <>
          <Field label={t('enrol.household.id')} required>
            {(control) => (
              <input
                {...control}
                value={value.householdId}
                onChange={(event) => props.onChange({ ...value, householdId: event.target.value })}
              />
            )}
          </Field>
          <Field label={t('household.relationship')} required>
            {(control) => (
              <select
                {...control}
                value={value.relationship}
                onChange={(event) =>
                  props.onChange({ ...value, relationship: event.target.value as Relationship })
                }
              >
                {relationships.map((relationship) => (
                  <option key={relationship} value={relationship}>
                    {t(`relationship.${relationship}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </>
      ) : null}
    </fieldset>
  );
}
