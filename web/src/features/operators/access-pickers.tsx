import { useTranslation } from 'react-i18next';
import { type Role, roles } from '../../../../src/shared/access/roles.js';
import { listStates } from '../../geography/divisions.js';

/** Check boxes for the roles of an account. */
export function RolePicker(props: {
  value: Role[];
  onChange: (value: Role[]) => void;
  error?: string | undefined;
}) {
  const { t } = useTranslation();
  return (
    <fieldset aria-describedby={props.error ? 'roles-error' : undefined}>
      <legend>{t('operators.form.roles')}</legend>
      {roles.map((role) => (
        <label key={role} className="choice">
          <input
            type="checkbox"
            checked={props.value.includes(role)}
            onChange={(event) =>
              props.onChange(
                event.target.checked
                  ? [...props.value, role]
                  : props.value.filter((item) => item !== role),
              )
            }
          />
          {t(`role.${role}`)}
        </label>
      ))}
      {props.error ? (
        <p className="field-error" id="roles-error">
          {props.error}
        </p>
      ) : null}
    </fieldset>
  );
}

/** Check boxes for the states an account's roles apply to. */
export function RegionPicker(props: {
  value: string[];
  onChange: (value: string[]) => void;
  error?: string | undefined;
}) {
  const { t } = useTranslation();
  return (
    <fieldset
      className="region-picker"
      aria-describedby={props.error ? 'regions-error' : undefined}
    >
      <legend>{t('operators.form.regions')}</legend>
      {listStates().map((state) => (
        <label key={state.code} className="choice">
          <input
            type="checkbox"
            checked={props.value.includes(state.code)}
            onChange={(event) =>
              props.onChange(
                event.target.checked
                  ? [...props.value, state.code]
                  : props.value.filter((item) => item !== state.code),
              )
            }
          />
          {state.name}
        </label>
      ))}
      {props.error ? (
        <p className="field-error" id="regions-error">
          {props.error}
        </p>
      ) : null}
    </fieldset>
  );
}
