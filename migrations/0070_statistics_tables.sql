-- Published statistics (issue #17, safeguard 8): the protected tables a refresh writes and the
-- statistics routes read. Only protected aggregates are stored here: every cell is a count
-- already rounded to the base, or withheld (null). No person id, household id or list of
-- anything reaches these tables; the refresh reads the owning modules' aggregate read models.

create table statistics_table (
  code text primary key check (code ~ '^[a-z][a-z0-9_]{1,62}$'),
  refreshed_at timestamptz not null,
  refresh_id uuid not null,
  rules jsonb not null,
  cells jsonb not null,
  primary_cells integer not null check (primary_cells >= 0),
  secondary_cells integer not null check (secondary_cells >= 0)
);

comment on table statistics_table is 'One published statistics table as last refreshed: its protected cells only (issue #17).';
comment on column statistics_table.code is 'The table''s code from the statistics module''s catalogue (people_by_age_sex_region, …).';
comment on column statistics_table.refreshed_at is 'When the refresh that wrote this version finished computing it.';
comment on column statistics_table.refresh_id is 'The statistics_refresh run that wrote it.';
comment on column statistics_table.rules is 'Disclosure rules applied: threshold, protection level, rounding base.';
comment on column statistics_table.cells is 'Array of {view, key, value, status}: value a count rounded to the base, or null when withheld (primary or secondary suppression).';
comment on column statistics_table.primary_cells is 'How many cells were withheld as under the threshold.';
comment on column statistics_table.secondary_cells is 'How many cells were withheld so the primary ones cannot be derived.';

create table statistics_refresh (
  id uuid primary key,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  tables_total integer not null check (tables_total > 0),
  tables_done text[] not null default '{}'
);

comment on table statistics_refresh is 'A refresh of every published table: resumable (a run that stopped continues with the tables not in tables_done).';
comment on column statistics_refresh.id is 'The run''s id.';
comment on column statistics_refresh.started_at is 'When the run began.';
comment on column statistics_refresh.finished_at is 'When every table was written; null while running or after a crash.';
comment on column statistics_refresh.tables_total is 'How many tables the run refreshes.';
comment on column statistics_refresh.tables_done is 'Codes of the tables already written by this run: its progress.';

grant select, insert on statistics_table, statistics_refresh to amparo_app;
grant update (refreshed_at, refresh_id, rules, cells, primary_cells, secondary_cells) on statistics_table to amparo_app;
grant update (finished_at, tables_done) on statistics_refresh to amparo_app;
