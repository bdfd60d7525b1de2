import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PersonEntitlementHold } from '../../../../src/shared/api/entitlement-holds.js';
import { apiSend, withQuery } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';

/**
 * Where the person's objection to one hold stands (docs/DISTRIBUTION.md, "Objecting to a hold"),
 * or the button and form to object to a hold in force. Shown in each line of the person's holds
 * (`MyHolds`), which says the reason and the dates.
 *
 * @example
 *   <HoldObjection hold={hold} personId={personId} purpose="self" />
 */
export function HoldObjection(props: {
  hold: PersonEntitlementHold;
  personId: string;
  purpose: 'self' | 'appeal';
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const [objecting, setObjecting] = useState(false);
  const { hold } = props;
  const objection = hold.objection;
  return (
    <>
      {objection ? (
        <p data-objection={objection.status}>
          {t(`holdObjections.status.${objection.status}`, {
            date: format.date(objection.decideDueAt),
          })}
          {objection.reason ? ` ${t('holdObjections.why', { reason: objection.reason })}` : ''}
        </p>
      ) : null}
      {hold.status === 'in_force' && objection === null && !objecting ? (
        <button type="button" onClick={() => setObjecting(true)}>
          {t('holdObjections.object')}
        </button>
      ) : null}
      {objecting ? (
        <HoldObjectionForm {...props} holdId={hold.holdId} onDone={() => setObjecting(false)} />
      ) : null}
    </>
  );
}

function HoldObjectionForm(props: {
  holdId: string;
  personId: string;
  purpose: 'self' | 'appeal';
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [statement, setStatement] = useState('');
  const file = useMutation({
    mutationFn: () =>
      apiSend(
        'POST',
        withQuery(`/api/distribution/entitlement-holds/${props.holdId}/objections`, {
          purpose: props.purpose,
        }),
        { statement },
      ),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['my-holds', props.personId] });
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
      <Field
        label={t('holdObjections.statement')}
        hint={t('holdObjections.statementHint')}
        required
      >
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
        {t('holdObjections.file')}
      </button>{' '}
      <button type="button" className="button-secondary" onClick={props.onDone}>
        {t('appeals.cancel')}
      </button>
    </form>
  );
}
