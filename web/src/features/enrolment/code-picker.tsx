import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type CodeOption, searchable } from '../../catalogue/code-names.js';
import type { ControlProps } from '../../components/field.js';

/**
 * A searchable list of codes shown by name: typing in the search box narrows the list (by
 * name or code, accents ignored) and a single match is chosen at once; the list itself is an
 * ordinary select, labelled by the field, so keyboards and screen readers use it as they know.
 *
 * @example
 *   <Field label="Nacionalidad">{(control) =>
 *     <CodePicker control={control} name="nationality" options={countryOptions('es')} … />}
 *   </Field>
 */
export function CodePicker(props: {
  control: ControlProps;
  name: string;
  label: string;
  options: readonly CodeOption[];
  value: string;
  onChange: (value: string) => void;
  onBlur: () => void;
}) {
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  const shown = useMemo(() => {
    const wanted = searchable(query.trim());
    if (wanted === '') return props.options;
    return props.options.filter(
      (option) =>
        option.value === props.value ||
        searchable(option.label).includes(wanted) ||
        option.value.toLowerCase() === wanted,
    );
  }, [props.options, props.value, query]);
  const search = (text: string) => {
    setQuery(text);
    const wanted = searchable(text.trim());
    if (wanted === '') return;
    const matches = props.options.filter(
      (option) =>
        searchable(option.label).includes(wanted) || option.value.toLowerCase() === wanted,
    );
    if (matches.length === 1 && matches[0]) props.onChange(matches[0].value);
  };
  return (
    <div className="code-picker">
      <input
        type="search"
        aria-label={t('picker.search', { label: props.label })}
        placeholder={t('picker.placeholder')}
        value={query}
        autoComplete="off"
        onChange={(event) => search(event.target.value)}
      />
      <select
        {...props.control}
        name={props.name}
        value={props.value}
        onChange={(event) => props.onChange(event.target.value)}
        onBlur={props.onBlur}
      >
        <option value="">{t('enrol.choose')}</option>
        {shown.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label} ({option.value})
          </option>
        ))}
      </select>
    </div>
  );
}
