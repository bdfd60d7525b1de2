import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BenefitLineAnswer } from '../../../../src/shared/api/appeals.js';
import { apiGet, apiSend, withQuery } from '../../api/client.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { StatementForm } from '../../components/statement-form.js';
import { ClauseText } from '../appeals/clause-text.js';

/**
 * "My benefits" (purpose `self`, audited as `person.benefits`): each published program for the
 * person's state, in or out at its latest cycle, the clause that failed in plain words and the
 * rule version; an appeal button where one can be filed.
 *
 * @example
 *   <MyBenefits personId={person.id} />
 */
export function MyBenefits({ personId }: { personId: string }) {
  const { t } = useTranslation();
  const benefits = useQuery(myBenefitsQuery(personId));
  if (benefits.isPending) return <p aria-live="polite">{t('common.loading')}</p>;
  if (benefits.error) return <ProblemNotice error={benefits.error} />;
  if (benefits.data.benefits.length === 0) return <p>{t('appeals.noPrograms')}</p>;
  return (
    <ul className="benefit-list" data-testid="my-benefits">
      {benefits.data.benefits.map((line) => (
        <BenefitItem key={line.programId} line={line} personId={personId} />
      ))}
    </ul>
  );
}

/** The person's benefits read as the person (one request, shared by the page's parts). */
export function myBenefitsQuery(personId: string) {
  return {
    queryKey: ['my-benefits', personId],
    queryFn: () =>
      apiGet<{ benefits: BenefitLineAnswer[] }>(
        withQuery(`/api/persons/${personId}/benefits`, { purpose: 'self' }),
      ),
  };
}

function BenefitItem({ line, personId }: { line: BenefitLineAnswer; personId: string }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'en' ? 'en' : 'es';
  const [appealing, setAppealing] = useState(false);
  return (
    <li data-included={line.included}>
      <h3>{line.name[language]}</h3>
      <p>
        <strong>{line.included ? t('appeals.in') : t('appeals.out')}</strong>
        {' · '}
        {line.cycle
          ? t('appeals.atCycle', { date: line.cycle.referenceDate })
          : t('appeals.ruleToday')}
        {' · '}
        {t('appeals.ruleVersion', { version: line.version })}
      </p>
      {line.failedClause ? (
        <p>
          {t('appeals.failedClause')} <ClauseText clause={line.failedClause} />
        </p>
      ) : null}
      {line.appealId ? <p className="hint">{t('appeals.alreadyAppealed')}</p> : null}
      {line.appealable && !appealing ? (
        <button type="button" onClick={() => setAppealing(true)}>
          {t('appeals.appeal')}
        </button>
      ) : null}
      {appealing ? (
        <AppealForm
          programId={line.programId}
          personId={personId}
          purpose="self"
          onDone={() => setAppealing(false)}
        />
      ) : null}
    </li>
  );
}

/** The statement and the button that files an appeal; used by the person and by a clerk. */
export function AppealForm(props: {
  programId: string;
  personId: string;
  purpose: 'self' | 'appeal';
  onDone: () => void;
}) {
  const { t } = useTranslation();
  return (
    <StatementForm
      label={t('appeals.statement')}
      hint={t('appeals.statementHint')}
      submit={t('appeals.file')}
      send={(statement) =>
        apiSend(
          'POST',
          withQuery(`/api/persons/${props.personId}/appeals`, { purpose: props.purpose }),
          { programId: props.programId, statement },
        )
      }
      refresh={[['my-benefits'], ['my-appeals']]}
      onDone={props.onDone}
    />
  );
}
