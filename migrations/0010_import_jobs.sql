-- Bulk import of persons (amparo import persons, POST /api/imports): one job per distinct
-- file, one committed-batch row per transaction (the resume checkpoint), the person each
-- imported line became, and household attributes (income_band), which the catalogue declares
-- on the household and which therefore cannot be stored on a person.

create table import_job (
  id uuid primary key,
  file_sha256 bytea not null unique check (octet_length(file_sha256) = 32),
  file_name text not null check (length(file_name) between 1 and 255),
  file_bytes bigint not null check (file_bytes >= 0),
  format text not null check (format in ('csv', 'ndjson')),
  status text not null check (status in ('running', 'finished', 'failed')),
  reference_date date not null,
  regions text[],
  started_by uuid,
  lines_total integer check (lines_total >= 0),
  rows_invalid integer check (rows_invalid >= 0),
  failure text,
  started_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz
);

comment on table import_job is 'One bulk import of persons per distinct file (by SHA-256): a re-run of the same file resumes or, once finished, imports nothing new.';
comment on column import_job.id is 'Job id; the audit actor of its batches is import:<id>.';
comment on column import_job.file_sha256 is 'SHA-256 of the whole file: the same bytes are the same job.';
comment on column import_job.file_name is 'Base name of the file as given (no directory).';
comment on column import_job.file_bytes is 'Size of the file in bytes.';
comment on column import_job.format is 'csv or ndjson (the demo generator''s columns).';
comment on column import_job.status is 'running (or interrupted: resumable), finished, or failed (an unexpected error; resumable).';
comment on column import_job.reference_date is 'The day dates of birth are checked against, fixed at the first run so a resume validates exactly as the first run did.';
comment on column import_job.regions is 'ISO 3166-2:VE states rows may be in (the operator''s regions); null for a system job, which may import any state.';
comment on column import_job.started_by is 'Operator who uploaded the file; null for the command line.';
comment on column import_job.lines_total is 'Physical lines of the file, for progress and ETA.';
comment on column import_job.rows_invalid is 'Rows refused with errors, known once the job has read the whole file.';
comment on column import_job.failure is 'Last unexpected failure (a message, never row content).';
comment on column import_job.started_at is 'When the job was created.';
comment on column import_job.updated_at is 'When status or counts last changed.';
comment on column import_job.finished_at is 'When the job finished.';

create table import_batch (
  job_id uuid not null references import_job (id),
  first_line integer not null check (first_line >= 1),
  last_line integer not null check (last_line >= first_line),
  persons integer not null check (persons >= 1),
  households integer not null check (households >= 1),
  committed_at timestamptz not null default now(),
  primary key (job_id, first_line)
);

comment on table import_batch is 'Checkpoint: each batch of an import, written in the same transaction as its persons. Lines inside a committed range are skipped on resume.';
comment on column import_batch.job_id is 'The import job.';
comment on column import_batch.first_line is 'First file line (1-based, header included) of the batch''s households.';
comment on column import_batch.last_line is 'Last file line of the batch''s households; households never span batches.';
comment on column import_batch.persons is 'Persons written by the batch.';
comment on column import_batch.households is 'Households written by the batch.';
comment on column import_batch.committed_at is 'When the batch committed.';

create table import_row (
  job_id uuid not null references import_job (id),
  line integer not null check (line >= 1),
  person_id uuid not null references person (id),
  primary key (job_id, line)
);

comment on table import_row is 'Which person each imported file line became: traces a record back to its source and proves one person per line.';
comment on column import_row.job_id is 'The import job.';
comment on column import_row.line is 'File line (1-based, header included) where the record starts.';
comment on column import_row.person_id is 'The person created from it.';

create table household_version (
  household_id uuid not null references household (id),
  version integer not null check (version >= 1),
  attributes jsonb not null check (jsonb_typeof(attributes) = 'object'),
  reason text not null check (reason in ('enrolment', 'import', 'correction', 'demo')),
  recorded_by uuid,
  recorded_at timestamptz not null default now(),
  primary key (household_id, version)
);

comment on table household_version is 'Append-only history of a household''s catalogue attributes (subject household, e.g. income_band).';
comment on column household_version.household_id is 'The household.';
comment on column household_version.version is 'Version number, 1 for the first record, increasing by one.';
comment on column household_version.attributes is 'Household attributes of the catalogue; none of them is sealed.';
comment on column household_version.reason is 'Why this version exists: enrolment, import, correction, demo.';
comment on column household_version.recorded_by is 'Operator who made the change; null for system jobs.';
comment on column household_version.recorded_at is 'When the version was recorded.';

grant select, insert on import_job, import_batch, import_row, household_version to amparo_app;
grant update (status, lines_total, rows_invalid, failure, updated_at, finished_at) on import_job to amparo_app;
