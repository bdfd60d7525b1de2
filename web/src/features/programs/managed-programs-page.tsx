import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import type { ProgramContentBody, ProgramSummary } from '../../../../src/shared/api/programs.js';
import { apiGet, apiSend } from '../../api/client.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { may } from '../../session/permissions.js';
import { useOperator } from '../../session/use-session.js';
import { purposeQuery, writePurpose } from './program-api.js';
import { emptyContent, ProgramEditor } from './program-editor.js';
import { regionsText } from './program-words.js';

/**
 * Programs in the operator's states, every status, and for a program officer the editor to
 * create a new one (a draft, published only after a second person decides).
 */
export function ManagedProgramsPage() {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'en' ? 'en' : 'es';
  const operator = useOperator();
  const roles = operator?.roles ?? [];
  const [creating, setCreating] = useState(false);
  const programs = useQuery({
    queryKey: ['managed-programs'],
    queryFn: () =>
      apiGet<{ programs: ProgramSummary[] }>(`/api/programs/managed${purposeQuery(roles)}`),
  });
  return (
    <section>
      <PageHeading>{t('programs.manageTitle')}</PageHeading>
      {programs.isPending ? <p aria-live="polite">{t('common.loading')}</p> : null}
      {programs.error ? <ProblemNotice error={programs.error} /> : null}
      {programs.data?.programs.length === 0 ? <p>{t('programs.noneToManage')}</p> : null}
      <ul className="program-list" data-testid="managed-programs">
        {programs.data?.programs.map((program) => (
          <li key={program.id}>
            <Link to={`/programs/manage/${program.id}`}>{program.name[language]}</Link>{' '}
            <code>{program.code}</code> · {t(`programs.status.${program.status}`)} ·{' '}
            {t('programs.latestVersion', { version: program.latestVersion })} ·{' '}
            {regionsText(t, program.regions)}
          </li>
        ))}
      </ul>
      {may(roles, 'program.manage') ? (
        creating ? (
          <NewProgram />
        ) : (
          <button type="button" onClick={() => setCreating(true)}>
            {t('programs.create')}
          </button>
        )
      ) : null}
    </section>
  );
}

function NewProgram() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const create = useMutation({
    mutationFn: (input: { code: string; content: ProgramContentBody }) =>
      apiSend<{ programId: string }>('POST', `/api/programs${writePurpose}`, input),
    onSuccess: async ({ body }) => {
      await client.invalidateQueries({ queryKey: ['managed-programs'] });
      await navigate(`/programs/manage/${body.programId}`);
    },
  });
  return (
    <section aria-labelledby="new-program">
      <h2 id="new-program">{t('programs.create')}</h2>
      <ProgramEditor
        initial={emptyContent}
        withCode
        submitLabel={t('programs.saveDraft')}
        busy={create.isPending}
        onSubmit={(content, code) => create.mutate({ code, content })}
      />
      {create.error ? <ProblemNotice error={create.error} /> : null}
    </section>
  );
}
