import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PersonEntitlementHold } from '../../../../src/shared/api/entitlement-holds.js';
import { apiGet, apiSend, withQuery } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';

/**
 * The person's objections to holds on their entitlements (purpose `self`; docs/DISTRIBUTION.md,
 * "Objecting to a hold"): each hold in force or objected to, where its objection stands, and
 * the form to object to one in force. Shown under "My benefits".
 *
 * @example
 *   <MyHoldObjections personId={person.id} />
 */
export function MyHoldObjections({ personId }: { personId: string }) {
  const { t } = useTranslation();
  const holds = useQuery({
    queryKey: ['my-entitlement-holds', personId],
    queryFn: () =>
      apiGet<{ holds: PersonEntitlementHold[] }>(
        withQuery(`/api/persons/${personId}/entitlement-holds`, { purpose: 'self' }),
      ),
  });
  if (holds.isPending) return <p aria-live="polite">{t('common.loading')}</p>;
  if (holds.error) return <ProblemNotice error={holds.error} />;
  const shown = holds.data.holds.filter((h) => h.status === 'in_force' || h.objection !== null);
  if (shown.length === 0) return <p>{t('holdObjections.noneToObject')}</p>;
  return (
    <ul className="benefit-list" data-testid="my-hold-objections">
      {shown.map((hold) => (
        <li key={hold.holdId}>
          <HoldObjectionLine hold={hold} personId={personId} purpose="self" />
        </li>
      ))}
    </ul>
  );
}

/** One hold: its reason and dates, its objection's standing, or the form to object to it. */
export function HoldObjectionLine(props: {
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
      <p>
        <strong>{t(`holdObjections.reason.${hold.reason}`)}</strong>
        {' · '}
        {t(`holdObjections.holdStatus.${hold.status}`, { date: format.date(hold.lapsesAt) })}
      </p>
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
      await client.invalidateQueries({ queryKey: ['my-entitlement-holds', props.personId] });
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
