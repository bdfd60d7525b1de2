import { useTranslation } from 'react-i18next';
import { Field } from '../../components/field.js';

export type Currency = 'VES' | 'USD';

/** The ledger's currencies as a labelled choice (the money page's forms). */
export function CurrencyField(props: { value: Currency; onChange: (value: Currency) => void }) {
  const { t } = useTranslation();
  return (
    <Field label={t('money.currency')}>
      {(control) => (
        <select
          {...control}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value === 'USD' ? 'USD' : 'VES')}
        >
          <option value="VES">VES</option>
          <option value="USD">USD</option>
        </select>
      )}
    </Field>
  );
}
