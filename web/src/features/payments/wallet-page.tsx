import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import type { Purpose } from '../../api/types.js';
import { Field } from '../../components/field.js';
import { PageHeading } from '../../components/page-heading.js';
import { purposesFor } from '../../session/permissions.js';
import { useOperator } from '../../session/use-session.js';
import { WalletPanel } from './wallet-panel.js';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The wallet screen for staff who do not open the person's record (a finance officer): the
 * person's id (from an appeal, a frozen wallet, a payout) and the purpose, then the wallet.
 */
export function WalletPage() {
  const { t } = useTranslation();
  const operator = useOperator();
  const purposes = purposesFor(operator?.roles ?? [], 'payment.wallet_read');
  const [search, setSearch] = useSearchParams();
  const [personId, setPersonId] = useState(search.get('person') ?? '');
  const [purpose, setPurpose] = useState<Purpose | ''>(purposes[0] ?? '');
  const shown = search.get('person');
  return (
    <article>
      <PageHeading>{t('wallet.pageTitle')}</PageHeading>
      <p className="hint">{t('wallet.pageExplain')}</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setSearch({ person: personId.trim(), purpose });
        }}
      >
        <Field label={t('wallet.personId')} hint={t('wallet.personIdHint')}>
          {(control) => (
            <input
              {...control}
              autoComplete="off"
              value={personId}
              onChange={(event) => setPersonId(event.target.value)}
            />
          )}
        </Field>
        <Field label={t('wallet.purpose')}>
          {(control) => (
            <select
              {...control}
              value={purpose}
              // Safe: the options are exactly `purposes`.
              onChange={(event) => setPurpose(event.target.value as Purpose)}
            >
              {purposes.map((each) => (
                <option key={each} value={each}>
                  {t(`purpose.name.${each}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" disabled={!uuidPattern.test(personId.trim()) || purpose === ''}>
          {t('wallet.open')}
        </button>
      </form>
      {shown !== null &&
      uuidPattern.test(shown) &&
      purposes.includes(search.get('purpose') as Purpose) ? (
        // Safe: the purpose was just checked against the operator's own purposes.
        <WalletPanel personId={shown} purpose={search.get('purpose') as Purpose} />
      ) : null}
    </article>
  );
}
