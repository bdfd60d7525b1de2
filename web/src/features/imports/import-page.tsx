import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiGet, withQuery } from '../../api/client.js';
import { FilePicker } from '../../components/file-picker.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { currentLanguage } from '../../i18n/i18n.js';
import { refusalText } from '../../i18n/refusal-text.js';
import { type ImportJob, type RefusedRow, uploadImport } from './upload-import.js';

/** How often a running import is asked for its progress. */
const pollIntervalMs = 1000;

/**
 * For registry supervisors: upload a CSV file in the format of `amparo demo generate`, follow
 * the import (lines, persons, households, refused rows) and download the refused rows as CSV.
 * The server checks the file, the role and the regions of every row.
 */
export function ImportPage() {
  const { t } = useTranslation();
  const inputId = useId();
  const [file, setFile] = useState<File | null>(null);
  const upload = useMutation({ mutationFn: uploadImport });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (file) upload.mutate(file);
  };
  return (
    <section>
      <PageHeading>{t('imports.title')}</PageHeading>
      <p className="hint">{t('imports.explain')}</p>
      <form onSubmit={onSubmit} className="panel" aria-labelledby={`${inputId}-heading`}>
        <h2 id={`${inputId}-heading`}>{t('imports.upload.title')}</h2>
        <div className="field">
          <label htmlFor={inputId}>{t('imports.upload.file')}</label>
          <FilePicker
            control={{ id: inputId, 'aria-describedby': `${inputId}-hint` }}
            accept=".csv,text/csv"
            onFile={setFile}
          />
          <p className="hint" id={`${inputId}-hint`}>
            {t('imports.upload.hint')}
          </p>
        </div>
        <button type="submit" disabled={file === null || upload.isPending}>
          {upload.isPending ? t('common.wait') : t('imports.upload.button')}
        </button>
      </form>
      <div aria-live="polite">
        {upload.error ? <ProblemNotice error={upload.error} /> : null}
        {upload.data ? <ImportProgress jobId={upload.data.id} /> : null}
      </div>
    </section>
  );
}

function ImportProgress({ jobId }: { jobId: string }) {
  const { t } = useTranslation();
  const job = useQuery({
    queryKey: ['import', jobId],
    queryFn: () => apiGet<ImportJob>(`/api/imports/${encodeURIComponent(jobId)}`),
    refetchInterval: (query) =>
      query.state.data?.status === 'running' || query.state.data === undefined
        ? pollIntervalMs
        : false,
  });
  if (job.error) return <ProblemNotice error={job.error} />;
  if (!job.data) return <p>{t('common.loading')}</p>;
  return <JobSummary job={job.data} />;
}

function JobSummary({ job }: { job: ImportJob }) {
  const { t } = useTranslation();
  const format = useFormat();
  const count = (value: number | null) => (value === null ? '—' : format.number(value));
  return (
    <section
      className="panel"
      aria-labelledby="import-job-heading"
      data-testid="import-job"
      data-status={job.status}
    >
      <h2 id="import-job-heading">{t('imports.job.title', { name: job.fileName })}</h2>
      <p>
        <strong>{t(`imports.job.status.${job.status}`)}</strong>
      </p>
      <dl className="attributes">
        <dt>{t('imports.job.lines')}</dt>
        <dd data-testid="import-lines">{count(job.linesTotal)}</dd>
        <dt>{t('imports.job.persons')}</dt>
        <dd data-testid="import-persons">{count(job.personsImported)}</dd>
        <dt>{t('imports.job.households')}</dt>
        <dd>{count(job.householdsImported)}</dd>
        <dt>{t('imports.job.invalid')}</dt>
        <dd data-testid="import-invalid">{count(job.rowsInvalid)}</dd>
      </dl>
      {job.failure ? (
        <p className="notice notice-error" role="alert">
          {t('imports.job.failure', { detail: job.failure })}
        </p>
      ) : null}
      {job.status === 'finished' && (job.rowsInvalid ?? 0) > 0 ? (
        <>
          <RefusedRows rows={job.refusedRows} />
          <p>
            <a
              href={withQuery(`/api/imports/${encodeURIComponent(job.id)}/errors`, {
                lang: currentLanguage(),
              })}
              download={`refused-rows-${currentLanguage()}.csv`}
            >
              {t('imports.job.errorFile')}
            </a>
          </p>
        </>
      ) : null}
    </section>
  );
}

/** The first refused fields, each reason said in the operator's language from its code. */
function RefusedRows({ rows }: { rows: readonly RefusedRow[] }) {
  const { t } = useTranslation();
  if (rows.length === 0) return null;
  return (
    <>
      <h3>{t('imports.job.refusedTitle')}</h3>
      <ul className="refused-rows" data-testid="refused-rows">
        {rows.map((row) => (
          <li key={`${row.line}-${row.field}-${row.code}`}>
            <span className="refused-where">
              {t('imports.job.where', { line: row.line, record: row.recordId, field: row.field })}
            </span>{' '}
            {refusalText(t, row)}
          </li>
        ))}
      </ul>
      <p className="hint">{t('imports.job.refusedMore')}</p>
    </>
  );
}
