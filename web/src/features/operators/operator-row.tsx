import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmStep } from '../../components/confirm-step.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { divisionName } from '../../geography/divisions.js';
import { useFormat } from '../../i18n/format.js';
import { RegionPicker, RolePicker } from './access-pickers.js';
import type { ShownCodeHalf } from './code-half-once.js';
import { type OperatorAccount, useAccountChange } from './operator-api.js';
import { PendingChange } from './pending-change.js';

/**
 * One account in the list with what an administrator may do to it: change its roles and
 * regions, disable or enable it, or reset its credentials (after a confirmation), and decide
 * the grant waiting for a second administrator. Their own account has no actions: another
 * administrator must change it.
 */
export function OperatorRow(props: {
  account: OperatorAccount;
  self: boolean;
  me: string | null;
  onCodeHalf: (shown: ShownCodeHalf) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const { account } = props;
  const [mode, setMode] = useState<'idle' | 'edit' | 'reset'>('idle');
  const change = useAccountChange(account.id);
  const reset = () =>
    change.mutate(
      { resetCredentials: true },
      {
        onSuccess: (changed) => {
          setMode('idle');
          const code = changed.enrolmentCode?.first;
          if (code) props.onCodeHalf({ username: account.username, half: 'first', code });
        },
      },
    );
  return (
    <li className="panel" data-testid={`operator-${account.username}`}>
      <h3>
        {account.displayName} <span className="mono">({account.username})</span>
      </h3>
      <p>
        {account.roles.length === 0
          ? t('operators.list.noRoles')
          : `${account.roles.map((role) => t(`role.${role}`)).join(', ')} · ${account.regions.map(divisionName).join(', ')}`}
      </p>
      {account.awaitingEnrolment ? (
        <p className="hint">{t('operators.list.awaitingEnrolment')}</p>
      ) : null}
      {account.pendingChange ? (
        <PendingChange
          change={account.pendingChange}
          mine={account.pendingChange.requestedBy.username === props.me}
          self={props.self}
          onCodeHalf={props.onCodeHalf}
        />
      ) : null}
      <p className="hint">
        {account.disabledAt
          ? t('operators.list.disabledSince', { date: format.dateTime(account.disabledAt) })
          : t('operators.list.activeSince', { date: format.dateTime(account.createdAt) })}
      </p>
      {props.self ? <p className="hint">{t('operators.list.self')}</p> : null}
      {!props.self && mode === 'idle' ? (
        <RowActions account={account} setMode={setMode} change={change} />
      ) : null}
      {mode === 'edit' ? <AccessEditor account={account} onClose={() => setMode('idle')} /> : null}
      {mode === 'reset' ? (
        <ConfirmStep
          question={t('operators.reset.question', { username: account.username })}
          confirmLabel={t('operators.reset.confirm')}
          pending={change.isPending}
          onConfirm={reset}
          onCancel={() => setMode('idle')}
        />
      ) : null}
      {change.error ? <ProblemNotice error={change.error} /> : null}
    </li>
  );
}

function RowActions(props: {
  account: OperatorAccount;
  setMode: (mode: 'edit' | 'reset') => void;
  change: ReturnType<typeof useAccountChange>;
}) {
  const { t } = useTranslation();
  const disabled = props.account.disabledAt !== null;
  return (
    <ul className="actions">
      <li>
        <button type="button" className="button-secondary" onClick={() => props.setMode('edit')}>
          {t('operators.list.edit')}
        </button>
      </li>
      <li>
        <button
          type="button"
          className="button-secondary"
          disabled={props.change.isPending}
          onClick={() => props.change.mutate({ disabled: !disabled })}
        >
          {disabled ? t('operators.list.enable') : t('operators.list.disable')}
        </button>
      </li>
      <li>
        <button type="button" className="button-secondary" onClick={() => props.setMode('reset')}>
          {t('operators.list.reset')}
        </button>
      </li>
    </ul>
  );
}

function AccessEditor(props: { account: OperatorAccount; onClose: () => void }) {
  const { t } = useTranslation();
  const [roles, setRoles] = useState(props.account.roles);
  const [regions, setRegions] = useState(props.account.regions);
  const change = useAccountChange(props.account.id);
  const empty = roles.length === 0 || regions.length === 0;
  return (
    <div>
      <RolePicker value={roles} onChange={setRoles} />
      <RegionPicker value={regions} onChange={setRegions} />
      <ul className="actions">
        <li>
          <button
            type="button"
            disabled={change.isPending || empty}
            onClick={() => change.mutate({ roles, regions }, { onSuccess: props.onClose })}
          >
            {t('operators.list.save')}
          </button>
        </li>
        <li>
          <button type="button" className="button-secondary" onClick={props.onClose}>
            {t('card.revoke.cancel')}
          </button>
        </li>
      </ul>
      {change.error ? <ProblemNotice error={change.error} /> : null}
    </div>
  );
}
