import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { apiGet, withQuery } from '../../api/client.js';
import type { Household, Purpose } from '../../api/types.js';
import { attributeText, fullName } from '../../catalogue/attribute-value.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { divisionName } from '../../geography/divisions.js';
import { useFormat } from '../../i18n/format.js';
import { PurposeGate } from './purpose-picker.js';

/** A household and its members, read under a purpose like any person-level data. */
export function HouseholdPage() {
  const { t } = useTranslation();
  const { householdId = '' } = useParams();
  return (
    <PurposeGate title={t('household.openTitle')}>
      {(purpose) => <HouseholdView householdId={householdId} purpose={purpose} />}
    </PurposeGate>
  );
}

function HouseholdView({ householdId, purpose }: { householdId: string; purpose: Purpose }) {
  const { t } = useTranslation();
  const format = useFormat();
  const query = useQuery({
    queryKey: ['household', householdId, purpose],
    queryFn: () => apiGet<Household>(withQuery(`/api/households/${householdId}`, { purpose })),
  });
  if (query.isPending) return <p aria-live="polite">{t('common.loading')}</p>;
  if (query.error) return <ProblemNotice error={query.error} />;
  const household = query.data;
  return (
    <section>
      <PageHeading>
        {t('household.title', { region: divisionName(household.regionCode) })}
      </PageHeading>
      <p className="purpose-banner">
        {t('person.readFor', { purpose: t(`purpose.name.${purpose}`) })}
      </p>
      <p>
        {t('household.id')}{' '}
        <span className="mono" data-testid="household-id">
          {household.id}
        </span>
      </p>
      <div className="table-scroll">
        <table>
          <caption>{t('household.members', { count: household.members.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('person.name')}</th>
              <th scope="col">{t('household.relationship')}</th>
              <th scope="col">{t('attribute.birth_date')}</th>
              <th scope="col">{t('person.uin')}</th>
              <th scope="col">{t('person.status')}</th>
            </tr>
          </thead>
          <tbody>
            {household.members.map((member) => (
              <tr key={member.personId}>
                <td>
                  <Link to={withQuery(`/persons/${member.personId}`, { suggested: purpose })}>
                    {fullName(member.attributes) || member.uin}
                  </Link>
                </td>
                <td>{t(`relationship.${member.relationship}`)}</td>
                <td>{attributeText('birth_date', member.attributes.birth_date, t, format)}</td>
                <td className="mono">{member.uin}</td>
                <td>{t(`status.${member.status}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
