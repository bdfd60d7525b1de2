import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { apiSend, withQuery } from '../../../api/client.js';
import type { Purpose } from '../../../api/types.js';
import { Field } from '../../../components/field.js';
import { ProblemNotice } from '../../../components/problem-notice.js';
import { type Relationship, relationships } from '../../enrolment/household-choice.js';
import { isGeneralProblem, serverFieldReasons } from './write-problems.js';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Moves the person to another household (by its identifier) or to a new one they head. Server
 * field errors (already a member, no such household) show on the identifier field.
 */
export function MoveForm(props: {
  personId: string;
  purpose: Purpose;
  onDone: () => Promise<unknown>;
}) {
  const { t } = useTranslation();
  const [target, setTarget] = useState<'new' | 'existing'>('new');
  const [householdId, setHouseholdId] = useState('');
  const [relationship, setRelationship] = useState<Relationship>('child');
  const [submitted, setSubmitted] = useState(false);
  const move = useMover(props, () =>
    target === 'new'
      ? { new: true, relationship: 'head' }
      : { householdId: householdId.trim(), relationship },
  );
  const local =
    target === 'existing' && !uuidPattern.test(householdId.trim())
      ? t('changes.move.idInvalid')
      : undefined;
  const server = serverFieldReasons(move.error);
  const idError =
    (submitted ? local : undefined) ??
    (server.householdId ? t('validation.server', { reason: server.householdId }) : undefined);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!local) move.mutate();
  };
  return (
    <form onSubmit={submit} noValidate aria-labelledby="move-heading" className="panel">
      <h2 id="move-heading">{t('changes.move.title')}</h2>
      <TargetChoice target={target} onChange={setTarget} />
      {target === 'existing' ? (
        <ExistingHousehold
          householdId={householdId}
          relationship={relationship}
          idError={idError}
          relationshipError={server.relationship}
          onId={setHouseholdId}
          onRelationship={setRelationship}
        />
      ) : null}
      <button type="submit" disabled={move.isPending}>
        {move.isPending ? t('common.wait') : t('changes.move.submit')}
      </button>
      {move.data ? (
        <p role="status" data-testid="move-done">
          {t('changes.move.done')}{' '}
          <Link to={withQuery(`/households/${move.data.householdId}`, { purpose: props.purpose })}>
            {t('changes.move.open')}
          </Link>
        </p>
      ) : null}
      {move.error && isGeneralProblem(move.error) ? <ProblemNotice error={move.error} /> : null}
    </form>
  );
}

function TargetChoice(props: {
  target: 'new' | 'existing';
  onChange: (target: 'new' | 'existing') => void;
}) {
  const { t } = useTranslation();
  return (
    <fieldset className="form-group">
      <legend>{t('changes.move.where')}</legend>
      {(['new', 'existing'] as const).map((kind) => (
        <label key={kind} className="choice">
          <input
            type="radio"
            name="move-target"
            checked={props.target === kind}
            onChange={() => props.onChange(kind)}
          />
          <span>{t(`changes.move.${kind}`)}</span>
        </label>
      ))}
    </fieldset>
  );
}

function ExistingHousehold(props: {
  householdId: string;
  relationship: Relationship;
  idError: string | undefined;
  relationshipError: string | undefined;
  onId: (value: string) => void;
  onRelationship: (value: Relationship) => void;
}) {
  const { t } = useTranslation();
  return (
    <>
      <Field
        label={t('enrol.household.id')}
        hint={t('changes.move.idHint')}
        error={props.idError}
        required
      >
        {(control) => (
          <input
            {...control}
            className="mono"
            value={props.householdId}
            autoComplete="off"
            spellCheck={false}
            onChange={(event) => props.onId(event.target.value)}
          />
        )}
      </Field>
      <Field
        label={t('household.relationship')}
        error={
          props.relationshipError
            ? t('validation.server', { reason: props.relationshipError })
            : undefined
        }
      >
        {(control) => (
          <select
            {...control}
            value={props.relationship}
            // Safe: the options are exactly `relationships`.
            onChange={(event) => props.onRelationship(event.target.value as Relationship)}
          >
            {relationships.map((value) => (
              <option key={value} value={value}>
                {t(`relationship.${value}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
    </>
  );
}

/** The move write; `body` gives the target part, the client id is added (new after a success). */
function useMover(
  props: { personId: string; purpose: Purpose; onDone: () => Promise<unknown> },
  body: () => Record<string, unknown>,
) {
  const clientId = useRef(crypto.randomUUID());
  return useMutation({
    mutationFn: async () =>
      (
        await apiSend<{ householdId: string; relationship: string }>(
          'POST',
          withQuery(`/api/persons/${props.personId}/household`, { purpose: props.purpose }),
          { clientId: clientId.current, ...body() },
        )
      ).body,
    onSuccess: async () => {
      clientId.current = crypto.randomUUID();
      await props.onDone();
    },
  });
}
