import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import type {
  CycleSummary,
  ProgramContentBody,
  ProgramDetail,
} from '../../../../src/shared/api/programs.js';
import { apiGet, apiSend } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { may } from '../../session/permissions.js';
import { useOperator } from '../../session/use-session.js';
import { purposeQuery, writePurpose } from './program-api.js';
import { ProgramEditor } from './program-editor.js';
import { benefitText, regionsText } from './program-words.js';
import { RuleProblem } from './rule-field.js';
import { RulePreviewPanel } from './rule-preview-panel.js';

/**
 * One program for the staff: its versions with the rule, the publication requests (a
 * supervisor decides a pending one after seeing who would enter and leave), a new version
 * from the latest, and its cycles with the form to open one.
 */
export function ProgramPage() {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'en' ? 'en' : 'es';
  const { programId = '' } = useParams();
  const roles = useOperator()?.roles ?? [];
  const detail = useQuery({
    queryKey: ['program', programId],
    queryFn: () => apiGet<ProgramDetail>(`/api/programs/${programId}${purposeQuery(roles)}`),
  });
  if (detail.isPending) return <p aria-live="polite">{t('common.loading')}</p>;
  if (detail.error) return <ProblemNotice error={detail.error} />;
  const { program, versions, publications } = detail.data;
  const latest = versions[versions.length - 1];
  return (
    <section>
      <PageHeading>{program.name[language]}</PageHeading>
      <p>
        <code>{program.code}</code> · {t(`programs.status.${program.status}`)} ·{' '}
        {program.publishedVersion === null
          ? t('programs.notPublished')
          : t('programs.inForce', { version: program.publishedVersion })}
      </p>
      <h2>{t('programs.publications')}</h2>
      {publications.length === 0 ? <p>{t('programs.noPublications')}</p> : null}
      <ul className="publication-list" data-testid="publications">
        {publications.map((publication) => (
          <Publication
            key={publication.id}
            programId={programId}
            publication={publication}
            canDecide={may(roles, 'program.publish_decide')}
          />
        ))}
      </ul>
      <h2>{t('programs.versions')}</h2>
      <ol className="version-list" data-testid="versions">
        {[...versions].reverse().map((version) => (
          <Version
            key={version.version}
            programId={programId}
            version={version}
            published={program.publishedVersion}
            pending={publications.some(
              (p) => p.version === version.version && p.status === 'pending',
            )}
            canManage={may(roles, 'program.manage')}
          />
        ))}
      </ol>
      {may(roles, 'program.manage') && latest ? (
        <NewVersion programId={programId} latest={latest.content} />
      ) : null}
      <Cycles
        programId={programId}
        published={program.status === 'published'}
        canManage={may(roles, 'program.manage')}
      />
    </section>
  );
}

type VersionView = ProgramDetail['versions'][number];

function Version(props: {
  programId: string;
  version: VersionView;
  published: number | null;
  pending: boolean;
  canManage: boolean;
}) {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'en' ? 'en' : 'es';
  const client = useQueryClient();
  const [previewing, setPreviewing] = useState(false);
  const { version, content, ruleProblem: problem } = props.version;
  const ask = useMutation({
    mutationFn: () =>
      apiSend('POST', `/api/programs/${props.programId}/publication-requests${writePurpose}`, {
        version,
      }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['program', props.programId] }),
  });
  const newer = props.published === null || version > props.published;
  return (
    <li data-version={version}>
      <h3>
        {t('programs.versionN', { version })}
        {version === props.published ? ` · ${t('programs.inForceShort')}` : ''}
      </h3>
      <p>
        {benefitText(t, content.benefit, language)} · {regionsText(t, content.regions)} ·{' '}
        {t(`programs.cadence.${content.cadence}`)}
      </p>
      <pre className="rule-source">
        <code>{content.eligibilityRule}</code>
      </pre>
      {problem === null ? null : (
        <div className="notice notice-error" role="status" data-testid="version-needs-new">
          <p>{t('programs.versionNeedsNew')}</p>
          <RuleProblem
            source={
              problem.field === '/benefit/formula' && 'formula' in content.benefit
                ? content.benefit.formula
                : content.eligibilityRule
            }
            problem={problem}
          />
        </div>
      )}
      {newer ? (
        <button
          type="button"
          className="button-secondary"
          aria-expanded={previewing}
          onClick={() => setPreviewing(!previewing)}
        >
          {t('programs.preview')}
        </button>
      ) : null}
      {previewing ? <RulePreviewPanel programId={props.programId} version={version} /> : null}
      {newer && props.canManage && !props.pending ? (
        <button type="button" onClick={() => ask.mutate()} disabled={ask.isPending}>
          {t('programs.askPublication')}
        </button>
      ) : null}
      {ask.error ? <ProblemNotice error={ask.error} /> : null}
    </li>
  );
}

function Publication(props: {
  programId: string;
  publication: ProgramDetail['publications'][number];
  canDecide: boolean;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const { publication } = props;
  const decide = useMutation({
    mutationFn: (approve: boolean) =>
      apiSend('POST', `/api/program-publications/${publication.id}/decision${writePurpose}`, {
        approve,
      }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['program', props.programId] }),
  });
  const pending = publication.status === 'pending';
  return (
    <li data-status={publication.status}>
      <p>
        {t('programs.publicationLine', {
          version: publication.version,
          date: format.dateTime(publication.requestedAt),
        })}{' '}
        <strong>{t(`programs.publicationStatus.${publication.status}`)}</strong>
      </p>
      {pending && props.canDecide ? (
        <div className="decision">
          <RulePreviewPanel programId={props.programId} version={publication.version} />
          <p className="hint">{t('programs.decideHint')}</p>
          <button type="button" onClick={() => decide.mutate(true)} disabled={decide.isPending}>
            {t('programs.approvePublication')}
          </button>{' '}
          <button
            type="button"
            className="button-secondary"
            onClick={() => decide.mutate(false)}
            disabled={decide.isPending}
          >
            {t('programs.refusePublication')}
          </button>
        </div>
      ) : null}
      {decide.error ? <ProblemNotice error={decide.error} /> : null}
    </li>
  );
}

function NewVersion(props: { programId: string; latest: ProgramContentBody }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const save = useMutation({
    mutationFn: (content: ProgramContentBody) =>
      apiSend('POST', `/api/programs/${props.programId}/versions${writePurpose}`, { content }),
    onSuccess: async () => {
      setOpen(false);
      await client.invalidateQueries({ queryKey: ['program', props.programId] });
    },
  });
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {t('programs.newVersion')}
      </button>
    );
  return (
    <section aria-labelledby="new-version">
      <h2 id="new-version">{t('programs.newVersion')}</h2>
      <ProgramEditor
        initial={props.latest}
        withCode={false}
        submitLabel={t('programs.saveVersion')}
        busy={save.isPending}
        onSubmit={(content) => save.mutate(content)}
      />
      {save.error ? <ProblemNotice error={save.error} /> : null}
    </section>
  );
}

function Cycles(props: { programId: string; published: boolean; canManage: boolean }) {
  const { t } = useTranslation();
  const roles = useOperator()?.roles ?? [];
  const navigate = useNavigate();
  const [referenceDate, setReferenceDate] = useState(new Date().toISOString().slice(0, 10));
  const cycles = useQuery({
    queryKey: ['cycles', props.programId],
    queryFn: () =>
      apiGet<{ cycles: CycleSummary[] }>(
        `/api/programs/${props.programId}/cycles${purposeQuery(roles)}`,
      ),
  });
  const open = useMutation({
    mutationFn: () =>
      apiSend<{ cycleId: string }>(
        'POST',
        `/api/programs/${props.programId}/cycles${writePurpose}`,
        { referenceDate },
      ),
    onSuccess: ({ body }) => navigate(`/programs/cycles/${body.cycleId}`),
  });
  return (
    <section aria-labelledby="cycles">
      <h2 id="cycles">{t('programs.cycles')}</h2>
      {cycles.error ? <ProblemNotice error={cycles.error} /> : null}
      {cycles.data?.cycles.length === 0 ? <p>{t('programs.noCycles')}</p> : null}
      <ul data-testid="cycles">
        {cycles.data?.cycles.map((cycle) => (
          <li key={cycle.id}>
            <Link to={`/programs/cycles/${cycle.id}`}>
              {t('programs.cycleOf', { date: cycle.referenceDate })}
            </Link>{' '}
            · {t(`programs.cycleStatus.${cycle.status}`)}
          </li>
        ))}
      </ul>
      {props.published && props.canManage ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            open.mutate();
          }}
        >
          <Field
            label={t('programs.referenceDate')}
            hint={t('programs.referenceDateHint')}
            required
          >
            {(control) => (
              <input
                {...control}
                type="date"
                value={referenceDate}
                onChange={(event) => setReferenceDate(event.target.value)}
              />
            )}
          </Field>
          <button type="submit" disabled={open.isPending}>
            {t('programs.openCycle')}
          </button>
          {open.error ? <ProblemNotice error={open.error} /> : null}
        </form>
      ) : null}
    </section>
  );
}
