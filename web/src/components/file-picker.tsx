import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ControlProps } from './field.js';

/**
 * A file input that speaks the console's language: the browser's own button says "Choose
 * File" / "No file chosen" in the browser's language whatever the console's, so the input is
 * hidden visually (still focusable, still the control a label or a test finds) and a button-
 * like label and the chosen file's name are shown in its place.
 *
 * @example
 *   <Field label={t('imports.upload.file')}>
 *     {(control) => <FilePicker control={control} accept=".csv" onFile={setFile} />}
 *   </Field>
 */
export function FilePicker(props: {
  control: ControlProps;
  accept: string;
  capture?: 'environment' | 'user';
  onFile: (file: File | null) => void;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState<string | null>(null);
  const { id } = props.control;
  return (
    <div className="file-picker">
      <input
        {...props.control}
        className="file-picker-input"
        type="file"
        accept={props.accept}
        capture={props.capture}
        onChange={(event) => {
          const file = event.currentTarget.files?.[0] ?? null;
          setName(file?.name ?? null);
          props.onFile(file);
        }}
      />
      {/* A second label of the same input: clicking it opens the file chooser. */}
      <label htmlFor={id} className="file-picker-button" aria-hidden="true">
        {t('file.choose')}
      </label>
      <span className="file-picker-name" data-testid="file-picker-name">
        {name ?? t('file.none')}
      </span>
    </div>
  );
}
