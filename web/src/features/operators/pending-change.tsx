import { useTranslation } from 'react-i18next';
import { ProblemNotice } from '../../components/problem-notice.js';
import { divisionName } from '../../geography/divisions.js';
import { useFormat } from '../../i18n/format.js';
import type { ShownCodeHalf } from './code-half-once.js';
import { type OperatorChange, useChangeDecision } from './operator-api.js';

/**
 * A grant waiting for a second administrator: what it adds, who asked and when. Another
 * administrator may approve or refuse it; the one who asked may only withdraw it, and nobody
 * decides a grant to their own account. Approving a new sign-in shows the second code half.
 */
export function PendingChange(props: {
  change: OperatorChange;
  mine: boolean;
  self: boolean;
  onCodeHalf: (shown: ShownCodeHalf) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const { change } = props;
  const decision = useChangeDecision(change.id);
  const adds = [
    ...change.addRoles.map((role) => t(`role.${role}`)),
    ...change.addRegions.map(divisionName),
    ...(change.newCredentials ? [t('operators.pending.newCredentials')] : []),
  ];
  const approve = () =>
    decision.mutate('approve', {
      onSuccess: (result) => {
        const code = result.enrolmentCode?.second;
        if (code) props.onCodeHalf({ username: change.operatorUsername, half: 'second', code });
      },
    });
  return (
    <div className="notice" data-testid={`pending-${change.operatorUsername}`}>
      <p>
        <strong>{t('operators.pending.title')}</strong> {adds.join(', ')}
      </p>
      <p className="hint">
        {t('operators.pending.asked', {
          username: change.requestedBy.username,
          date: format.dateTime(change.requestedAt),
        })}
      </p>
      {props.self ? null : props.mine ? (
        <>
          <p className="hint">{t('operators.pending.mine')}</p>
          <button
            type="button"
            className="button-secondary"
            disabled={decision.isPending}
            onClick={() => decision.mutate('refuse')}
          >
            {t('operators.pending.withdraw')}
          </button>
        </>
      ) : (
        <ul className="actions">
          <li>
            <button type="button" disabled={decision.isPending} onClick={approve}>
              {t('operators.pending.approve')}
            </button>
          </li>
          <li>
            <button
              type="button"
              className="button-secondary"
              disabled={decision.isPending}
              onClick={() => decision.mutate('refuse')}
            >
              {t('operators.pending.refuse')}
            </button>
          </li>
        </ul>
      )}
      {decision.error ? <ProblemNotice error={decision.error} /> : null}
    </div>
  );
}
