import { type ReactNode, useId } from 'react';

/**
 * A labelled form control with its hint and error tied to it by `aria-describedby`, so a
 * screen reader reads the label, the hint and the problem together.
 *
 * @example
 *   <Field label={t('signIn.username')} error={error}>
 *     {(props) => <input {...props} value={name} onChange={…} />}
 *   </Field>
 */
export interface ControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
  required?: boolean;
}

export function Field(props: {
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  required?: boolean;
  children: (control: ControlProps) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [props.hint ? hintId : '', props.error ? errorId : '']
    .filter(Boolean)
    .join(' ');
  const control: ControlProps = { id };
  if (describedBy) control['aria-describedby'] = describedBy;
  if (props.error) control['aria-invalid'] = true;
  if (props.required) control.required = true;
  return (
    <div className={props.error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>
        {props.label}
        {props.required ? <span aria-hidden="true"> *</span> : null}
      </label>
      {props.hint ? (
        <p className="hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
      {props.children(control)}
      {props.error ? (
        <p className="field-error" id={errorId}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}
