import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { AppealAnswer } from '../../../../src/shared/api/appeals.js';
import { apiGet, withQuery } from '../../api/client.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { AppealStatusText } from '../appeals/clause-text.js';

/**
 * The person's appeals and every step of each (purpose `self`, audited as `appeal.read`):
 * filed, taken, decided, with the reason the person is given.
 *
 * @example
 *   <MyAppeals personId={person.id} />
 */
export function MyAppeals({ personId }: { personId: string }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const language = i18n.language === 'en' ? 'en' : 'es';
  const appeals = useQuery({
    queryKey: ['my-appeals', personId],
    queryFn: () =>
      apiGet<{ appeals: AppealAnswer[] }>(
        withQuery(`/api/persons/${personId}/appeals`, { purpose: 'self' }),
      ),
  });
  if (appeals.isPending) return <p aria-live="polite">{t('common.loading')}</p>;
  if (appeals.error) return <ProblemNotice error={appeals.error} />;
  if (appeals.data.appeals.length === 0) return <p>{t('appeals.none')}</p>;
  return (
    <ul className="appeal-list" data-testid="my-appeals">
      {appeals.data.appeals.map((appeal) => (
        <li key={appeal.id}>
          <h3>
            {appeal.program.name[language]} · {appeal.reference}
          </h3>
          <p>
            <strong>
              <AppealStatusText
                status={appeal.status}
                outcome={appeal.outcome}
                overdue={appeal.overdue}
              />
            </strong>
            {' · '}
            {t('appeals.decideBy', { date: format.date(appeal.decideDueAt) })}
          </p>
          {appeal.reason && appeal.status === 'decided' ? (
            <p>{t('appeals.reason', { reason: appeal.reason })}</p>
          ) : null}
          <ol className="appeal-steps">
            {appeal.steps.map((step) => (
              <li key={step.step}>
                {format.dateTime(step.at)} — {t(`appeals.step.${step.kind}`)}
                {step.actorRole
                  ? ` (${t(`appeals.by.${step.actorRole}`, { defaultValue: step.actorRole })})`
                  : ''}
              </li>
            ))}
          </ol>
        </li>
      ))}
    </ul>
  );
}
