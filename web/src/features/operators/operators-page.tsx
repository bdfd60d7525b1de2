import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiGet } from '../../api/client.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useOperator } from '../../session/use-session.js';
import { CredentialsOnce } from './credentials-once.js';
import { NewOperatorForm } from './new-operator-form.js';
import { type OperatorAccount, operatorsPath, type ShownCredentials } from './operator-api.js';
import { OperatorRow } from './operator-row.js';

/**
 * Staff accounts, for administrators (`operator.manage`): create one, change roles and
 * regions, disable or enable, reset a forgotten password or lost authenticator. First and
 * reset credentials are shown once, then gone.
 */
export function OperatorsPage() {
  const { t } = useTranslation();
  const me = useOperator();
  const [shown, setShown] = useState<{ username: string; credentials: ShownCredentials } | null>(
    null,
  );
  const accounts = useQuery({
    queryKey: ['operators'],
    queryFn: () => apiGet<{ items: OperatorAccount[]; nextAfter: string | null }>(operatorsPath),
  });
  const show = (username: string, credentials: ShownCredentials) =>
    setShown({ username, credentials });
  return (
    <section>
      <PageHeading>{t('operators.title')}</PageHeading>
      <p className="hint">{t('operators.explain')}</p>
      {shown ? (
        <CredentialsOnce
          username={shown.username}
          credentials={shown.credentials}
          onDone={() => setShown(null)}
        />
      ) : (
        <NewOperatorForm onCreated={show} />
      )}
      <h2>{t('operators.list.title')}</h2>
      {accounts.isPending ? <p aria-live="polite">{t('common.loading')}</p> : null}
      {accounts.error ? <ProblemNotice error={accounts.error} /> : null}
      <ul className="plain-list">
        {accounts.data?.items.map((account) => (
          <OperatorRow
            key={account.id}
            account={account}
            self={account.username === me?.username}
            onCredentials={show}
          />
        ))}
      </ul>
    </section>
  );
}
