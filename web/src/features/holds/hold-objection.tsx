import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PersonEntitlementHold } from '../../../../src/shared/api/entitlement-holds.js';
import { apiSend, withQuery } from '../../api/client.js';
import { StatementForm } from '../../components/statement-form.js';
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
  return (
    <StatementForm
      label={t('holdObjections.statement')}
      hint={t('holdObjections.statementHint')}
      submit={t('holdObjections.file')}
      send={(statement) =>
        apiSend(
          'POST',
          withQuery(`/api/distribution/entitlement-holds/${props.holdId}/objections`, {
            purpose: props.purpose,
          }),
          { statement },
        )
      }
      refresh={[['my-holds', props.personId]]}
      onDone={props.onDone}
    />
  );
}
