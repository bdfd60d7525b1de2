import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from './field.js';
import { ProblemNotice } from './problem-notice.js';

/**
 * An act recorded with an optional note (at most 500 characters) and the button that does it:
 * lifting a hold, signing a point's reconciliation off. `send` gets the note without its outer
 * spaces, or undefined when none was written; once it is done the note is emptied and the
 * queries named in `refresh` are read again.
 *
 * @example
 *   <NoteForm
 *     label={t('supervision.holds.liftNote')}
 *     submit={t('supervision.holds.lift')}
 *     send={(note) => apiSend('POST', url, note === undefined ? {} : { note })}
 *     refresh={[listKey]}
 *   />
 */
export function NoteForm(props: {
  label: string;
  submit: string;
  send: (note: string | undefined) => Promise<unknown>;
  refresh: readonly (readonly unknown[])[];
}) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [note, setNote] = useState('');
  const act = useMutation({
    mutationFn: () => props.send(note.trim() === '' ? undefined : note.trim()),
    onSuccess: async () => {
      setNote('');
      for (const queryKey of props.refresh) await client.invalidateQueries({ queryKey });
    },
  });
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        act.mutate();
      }}
    >
      <Field label={props.label}>
        {(control) => (
          <textarea
            {...control}
            rows={2}
            maxLength={500}
            value={note}
            onChange={(event) => setNote(event.target.value)}
          />
        )}
      </Field>
      {act.error ? <ProblemNotice error={act.error} /> : null}
      <button type="submit" disabled={act.isPending}>
        {act.isPending ? t('common.wait') : props.submit}
      </button>
    </form>
  );
}
