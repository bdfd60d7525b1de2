import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiGet } from '../../api/client.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useOperator } from '../../session/use-session.js';
import { CodeHalfOnce, type ShownCodeHalf } from './code-half-once.js';
import { NewOperatorForm } from './new-operator-form.js';
import { type OperatorAccount, operatorsPath } from './operator-api.js';
import { OperatorRow } from './operator-row.js';

/**
 * Staff accounts, for administrators (`operator.manage`): create one, change roles and
 * regions, disable or enable, reset a forgotten password or lost authenticator, and approve or
 * refuse what another administrator asked. Adding access waits for a second administrator;
 * each sees one half of a new enrolment code, once.
 */
export function OperatorsPage() {
  const { t } = useTranslation();
  const me = useOperator();
  const [shown, setShown] = useState<ShownCodeHalf | null>(null);
  const accounts = useQuery({
    queryKey: ['operators'],
    queryFn: () => apiGet<{ items: OperatorAccount[]; nextAfter: string | null }>(operatorsPath),
  });
  return (
    <section>
      <PageHeading>{t('operators.title')}</PageHeading>
      <p className="hint">{t('operators.explain')}</p>
      {shown ? (
        <CodeHalfOnce shown={shown} onDone={() => setShown(null)} />
      ) : (
        <NewOperatorForm onCreated={setShown} />
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
            me={me?.username ?? null}
            onCodeHalf={setShown}
          />
        ))}
      </ul>
    </section>
  );
}
