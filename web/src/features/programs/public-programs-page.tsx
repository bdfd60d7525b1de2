import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { PublishedProgram } from '../../../../src/shared/api/program-rules.js';
import { apiGet } from '../../api/client.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { benefitText, regionsText } from './program-words.js';

/**
 * The public programs page, for anyone and without signing in (issue #13, point 10): each
 * published program, its benefit, states, cadence and its rule, clause by clause in the same
 * plain words a denial uses, with the rule as written for whoever wants to check it.
 */
export function PublicProgramsPage() {
  const { t } = useTranslation();
  const programs = useQuery({
    queryKey: ['public-programs'],
    queryFn: () => apiGet<{ programs: PublishedProgram[] }>('/api/programs'),
  });
  return (
    <section>
      <PageHeading>{t('programs.publicTitle')}</PageHeading>
      <p>{t('programs.publicLead')}</p>
      {programs.isPending ? <p aria-live="polite">{t('common.loading')}</p> : null}
      {programs.error ? <ProblemNotice error={programs.error} /> : null}
      {programs.data?.programs.length === 0 ? <p>{t('programs.noneYet')}</p> : null}
      <ul className="program-list" data-testid="public-programs">
        {programs.data?.programs.map((program) => (
          <PublicProgram key={program.code} program={program} />
        ))}
      </ul>
    </section>
  );
}

function PublicProgram({ program }: { program: PublishedProgram }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const language = i18n.language === 'en' ? 'en' : 'es';
  return (
    <li className="program-card" data-code={program.code}>
      <h2>{program.name[language]}</h2>
      {program.description[language] ? <p>{program.description[language]}</p> : null}
      {program.status === 'suspended' ? (
        <p className="notice notice-warning">{t('programs.suspended')}</p>
      ) : null}
      <dl className="facts">
        <dt>{t('programs.benefit')}</dt>
        <dd>
          {benefitText(t, program.benefit, language)} ·{' '}
          {t(`programs.unit.${program.unit}`, { defaultValue: program.unit })}
        </dd>
        <dt>{t('programs.regions')}</dt>
        <dd>{regionsText(t, program.regions)}</dd>
        <dt>{t('programs.cadenceLabel')}</dt>
        <dd>{t(`programs.cadence.${program.cadence}`, { defaultValue: program.cadence })}</dd>
        <dt>{t('programs.versionLabel')}</dt>
        <dd>
          {t('programs.versionPublished', {
            version: program.version,
            date: format.date(program.publishedAt),
          })}
        </dd>
      </dl>
      <h3>{t('programs.whoIsIn')}</h3>
      <ul className="clause-list" data-testid="rule-clauses">
        {program.eligibilityClauses.map((clause) => (
          <li key={clause.source}>{clause.text[language]}</li>
        ))}
      </ul>
      <details>
        <summary>{t('programs.ruleAsWritten')}</summary>
        <pre className="rule-source">
          <code>{program.eligibilityRule}</code>
        </pre>
      </details>
    </li>
  );
}
