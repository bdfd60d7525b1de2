import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from './field.js';
import { ProblemNotice } from './problem-notice.js';

/**
 * A statement in the person's own words (at most 2,000 characters) and the button that files it:
 * an appeal against a cycle, an objection to a hold. `send` files it; the queries named in
 * `refresh` are read again once it is filed, then `onDone`.
 *
 * @example
 *   <StatementForm
 *     label={t('appeals.statement')}
 *     hint={t('appeals.statementHint')}
 *     submit={t('appeals.file')}
 *     send={(statement) => apiSend('POST', url, { programId, statement })}
 *     refresh={[['my-appeals']]}
 *     onDone={() => setAppealing(false)}
 *   />
 */
export function StatementForm(props: {
  label: string;
  hint: string;
  submit: string;
  send: (statement: string) => Promise<unknown>;
  refresh: readonly (readonly unknown[])[];
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [statement, setStatement] = useState('');
  const file = useMutation({
    mutationFn: () => props.send(statement),
    onSuccess: async () => {
      for (const queryKey of props.refresh) await client.invalidateQueries({ queryKey });
      props.onDone();
    },
  });
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        file.mutate();
      }}
    >
      <Field label={props.label} hint={props.hint} required>
        {(control) => (
          <textarea
            {...control}
            maxLength={2000}
            rows={4}
            value={statement}
            onChange={(event) => setStatement(event.target.value)}
          />
        )}
      </Field>
      {file.error ? <ProblemNotice error={file.error} /> : null}
      <button type="submit" disabled={file.isPending || statement.trim() === ''}>
        {props.submit}
      </button>{' '}
      <button type="button" className="button-secondary" onClick={props.onDone}>
        {t('appeals.cancel')}
      </button>
    </form>
  );
}
