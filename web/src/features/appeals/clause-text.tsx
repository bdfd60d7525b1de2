import { useTranslation } from 'react-i18next';
import type { Clause } from '../../../../src/shared/api/appeals.js';

/**
 * A rule clause in the reader's language, with what the record holds for it, in plain words:
 * "age is at least 55 (your record: age: 36)", "la edad es al menos 55 (su registro: la edad:
 * 36)". An unknown fact is said as unknown, never as a failure of the person.
 *
 * @example
 *   <ClauseText clause={line.failedClause} />
 */
export function ClauseText({ clause }: { clause: Clause }) {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'en' ? 'en' : 'es';
  // In plain words from the server (fact-words.ts), never the facts' code names.
  const facts = clause.factWords.map((words) => words[language]);
  return (
    <span data-testid="clause">
      <q>{clause.text[language]}</q>
      {facts.length > 0 ? ` (${t('appeals.yourRecord')} ${facts.join(', ')})` : ''}
      {clause.outcome === 'unknown' ? ` — ${t('appeals.clauseUnknown')}` : ''}
    </span>
  );
}

/** An appeal's status in words, with "overdue" when a service level has passed. */
export function AppealStatusText(props: {
  status: string;
  outcome: string | null;
  overdue: boolean;
}) {
  const { t } = useTranslation();
  const status = props.outcome ?? props.status;
  return (
    <span data-status={status}>
      {t(`appeals.status.${status}`)}
      {props.overdue ? ` · ${t('appeals.overdue')}` : ''}
    </span>
  );
}
