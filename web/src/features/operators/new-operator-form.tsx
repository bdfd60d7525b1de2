import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Role } from '../../../../src/shared/access/roles.js';
import { ApiError } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { RegionPicker, RolePicker } from './access-pickers.js';
import type { ShownCodeHalf } from './code-half-once.js';
import { useAccountCreation } from './operator-api.js';

const usernamePattern = /^[a-z0-9][a-z0-9._-]{2,63}$/;

/**
 * The new-account form. The account holds nothing until a second administrator approves its
 * roles; on success the first half of its enrolment code goes up to the page, shown once.
 */
export function NewOperatorForm(props: { onCreated: (shown: ShownCodeHalf) => void }) {
  const { t } = useTranslation();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [roles, setRoles] = useState<Role[]>([]);
  const [regions, setRegions] = useState<string[]>([]);
  const [tried, setTried] = useState(false);
  const create = useAccountCreation();
  const server = (field: string) =>
    create.error instanceof ApiError
      ? create.error.fieldProblems.find((problem) => problem.field === `body/${field}`)?.reason
      : undefined;
  // Problems found here block the submission; the server's refusals are shown on the field
  // until it is edited, and never block a corrected submission.
  const local = {
    username: usernamePattern.test(username) ? undefined : t('operators.form.usernameRule'),
    displayName: displayName.trim() === '' ? t('operators.form.required') : undefined,
    roles: roles.length === 0 ? t('operators.form.chooseOne') : undefined,
    regions: regions.length === 0 ? t('operators.form.chooseOne') : undefined,
  };
  const errors = {
    username: local.username ?? server('username'),
    displayName: local.displayName ?? server('displayName'),
    roles: local.roles ?? server('roles'),
    regions: local.regions ?? server('regions'),
  };
  const edit =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      if (create.error) create.reset();
      set(value);
    };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (Object.values(local).some((error) => error !== undefined)) return;
    create.mutate(
      { username, displayName, roles, regions },
      {
        onSuccess: (created) => {
          const code = created.enrolmentCode?.first;
          if (code) props.onCreated({ username: created.operator.username, half: 'first', code });
        },
      },
    );
  };
  const shown = (error: string | undefined) => (tried ? error : undefined);
  return (
    <form onSubmit={submit} noValidate aria-labelledby="new-operator-heading" className="panel">
      <h2 id="new-operator-heading">{t('operators.form.title')}</h2>
      <Field
        label={t('operators.form.username')}
        hint={t('operators.form.usernameRule')}
        error={shown(errors.username)}
        required
      >
        {(control) => (
          <input
            {...control}
            autoComplete="off"
            value={username}
            onChange={(event) => edit(setUsername)(event.target.value.trim().toLowerCase())}
          />
        )}
      </Field>
      <Field label={t('operators.form.displayName')} error={shown(errors.displayName)} required>
        {(control) => (
          <input
            {...control}
            autoComplete="off"
            value={displayName}
            onChange={(event) => edit(setDisplayName)(event.target.value)}
          />
        )}
      </Field>
      <RolePicker value={roles} onChange={edit(setRoles)} error={shown(errors.roles)} />
      <RegionPicker value={regions} onChange={edit(setRegions)} error={shown(errors.regions)} />
      <button type="submit" disabled={create.isPending}>
        {create.isPending ? t('common.wait') : t('operators.form.create')}
      </button>
      {create.error ? <ProblemNotice error={create.error} /> : null}
    </form>
  );
}
