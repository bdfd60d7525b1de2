import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { attributeLabel } from '../../catalogue/attribute-value.js';
import { countryOptions, languageOptions } from '../../catalogue/code-names.js';
import { Field } from '../../components/field.js';
import { listStates, municipalitiesOf, parishesOf } from '../../geography/divisions.js';
import { CodePicker } from './code-picker.js';
import type { FieldProblemKey, FieldRule } from './validate.js';

/**
 * The control for one catalogue attribute: a select for enums and places, a checkbox for
 * booleans, a text input with the right keyboard otherwise.
 */
export function AttributeInput(props: {
  rule: FieldRule;
  values: Readonly<Record<string, string>>;
  problem: FieldProblemKey | undefined;
  onChange: (name: string, value: string) => void;
  onBlur: (name: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const { rule, values } = props;
  const value = values[rule.name] ?? '';
  const error = props.problem
    ? t(`validation.${props.problem.key}`, { ...props.problem })
    : undefined;
  const set = (next: string) => props.onChange(rule.name, next);
  if (rule.type === 'boolean') {
    return (
      <div className="field field-check">
        <label>
          <input
            type="checkbox"
            name={rule.name}
            checked={value === 'true'}
            onChange={(event) => set(event.target.checked ? 'true' : '')}
          />{' '}
          {attributeLabel(rule.name, t)}
        </label>
      </div>
    );
  }
  const codes =
    rule.type === 'country'
      ? countryOptions(i18n.language)
      : rule.type === 'language'
        ? languageOptions(i18n.language, t)
        : undefined;
  if (codes) {
    const label = attributeLabel(rule.name, t);
    return (
      <Field label={label} hint={t('picker.hint')} error={error} required={rule.required}>
        {(control) => (
          <CodePicker
            control={control}
            name={rule.name}
            label={label}
            options={codes}
            value={value}
            onChange={set}
            onBlur={() => props.onBlur(rule.name)}
          />
        )}
      </Field>
    );
  }
  const options = optionsFor(rule, values, t);
  return (
    <Field
      label={attributeLabel(rule.name, t)}
      hint={t(`attributeHint.${rule.name}`, { defaultValue: '' }) || undefined}
      error={error}
      required={rule.required}
    >
      {(control) =>
        options ? (
          <select
            {...control}
            name={rule.name}
            value={value}
            onChange={(event) => set(event.target.value)}
            onBlur={() => props.onBlur(rule.name)}
          >
            <option value="">{t('enrol.choose')}</option>
            {options.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        ) : (
          <input
            {...control}
            name={rule.name}
            value={value}
            {...inputKind(rule.type)}
            onChange={(event) => set(event.target.value)}
            onBlur={() => props.onBlur(rule.name)}
          />
        )
      }
    </Field>
  );
}

type Option = { value: string; label: string };

function optionsFor(
  rule: FieldRule,
  values: Readonly<Record<string, string>>,
  t: TFunction,
): Option[] | undefined {
  if (rule.options) {
    return rule.options.map((option) => ({
      value: option,
      label: t(`value.${rule.name}.${option}`, { defaultValue: option }),
    }));
  }
  if (rule.type !== 'geography') return undefined;
  const places =
    rule.name === 'municipality_code'
      ? municipalitiesOf(values.state_code ?? '')
      : rule.name === 'parish_code'
        ? parishesOf(values.municipality_code ?? '')
        : listStates();
  return places.map((place) => ({ value: place.code, label: place.name }));
}

function inputKind(type: string): Record<string, string> {
  switch (type) {
    case 'phone':
      return { type: 'tel', autoComplete: 'tel', inputMode: 'tel' };
    case 'email':
      return { type: 'email', autoComplete: 'email' };
    case 'birth_date':
      return { inputMode: 'numeric', autoComplete: 'bday' };
    case 'integer':
      return { inputMode: 'numeric' };
    default:
      return { type: 'text', autoComplete: 'off' };
  }
}
