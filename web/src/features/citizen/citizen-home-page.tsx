import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { apiGet, withQuery } from '../../api/client.js';
import type { PersonRecord } from '../../api/types.js';
import { fullName } from '../../catalogue/attribute-value.js';
import { AttributeList } from '../../components/attribute-list.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { AccessHistoryView } from '../access-history/access-history-view.js';
import { citizenUin } from './citizen-uin.js';
import { MyAppeals } from './my-appeals.js';
import { MyBenefits } from './my-benefits.js';
import { MyCard } from './my-card.js';
import { MyHolds } from './my-holds.js';
import { MyMessages } from './my-messages.js';

/**
 * The person's own page: what Amparo holds about them (purpose `self`), their card, and who
 * looked at it and why, each line checked in this browser against the signed audit log.
 */
export function CitizenHomePage() {
  const { t } = useTranslation();
  const uin = citizenUin();
  const record = useQuery({
    queryKey: ['my-record', uin],
    enabled: uin !== null,
    queryFn: () =>
      apiGet<PersonRecord>(withQuery(`/api/persons/by-uin/${uin}`, { purpose: 'self' })),
  });
  if (uin === null) {
    return (
      <section>
        <PageHeading>{t('citizen.myTitle')}</PageHeading>
        <p>
          <Link to="/citizen">{t('citizen.signInAgain')}</Link>
        </p>
      </section>
    );
  }
  if (record.isPending) return <p aria-live="polite">{t('common.loading')}</p>;
  if (record.error) return <ProblemNotice error={record.error} />;
  const person = record.data;
  return (
    <article>
      <PageHeading>{t('citizen.myTitle')}</PageHeading>
      <p className="lead">{t('citizen.hello', { name: fullName(person.attributes) })}</p>
      <p>
        <Link to="/pay">{t('citizen.payLink')}</Link>
      </p>
      <section aria-labelledby="my-data">
        <h2 id="my-data">{t('citizen.myData')}</h2>
        <p className="hint">{t('citizen.myDataExplain')}</p>
        <AttributeList attributes={person.attributes} />
      </section>
      <section aria-labelledby="my-card-heading">
        <h2 id="my-card-heading">{t('citizen.myCard')}</h2>
        <p className="hint">{t('citizen.myCardExplain')}</p>
        <MyCard personId={person.id} />
      </section>
      <section aria-labelledby="my-benefits-heading">
        <h2 id="my-benefits-heading">{t('citizen.myBenefits')}</h2>
        <p className="hint">{t('citizen.myBenefitsExplain')}</p>
        <MyBenefits personId={person.id} />
        <MyHolds personId={person.id} />
      </section>
      <section aria-labelledby="my-appeals-heading">
        <h2 id="my-appeals-heading">{t('citizen.myAppeals')}</h2>
        <p className="hint">{t('citizen.myAppealsExplain')}</p>
        <MyAppeals personId={person.id} />
      </section>
      <section aria-labelledby="my-messages-heading">
        <h2 id="my-messages-heading">{t('citizen.myMessages')}</h2>
        <p className="hint">{t('citizen.myMessagesExplain')}</p>
        <MyMessages personId={person.id} />
      </section>
      <section aria-labelledby="who-looked">
        <h2 id="who-looked">{t('citizen.whoLooked')}</h2>
        <p className="hint">{t('citizen.whoLookedExplain')}</p>
        <AccessHistoryView personId={person.id} purpose="self" />
      </section>
    </article>
  );
}
