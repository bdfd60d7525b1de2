-- Batch duplicate detection over the registry (amparo dedup run): one row per run with the
-- model it fitted, and the clusters it found for a supervisor to review. A run reads plain
-- attributes and the phone's blind-index digest only; nothing here holds an attribute value,
-- only person ids and scores. The application role cannot delete either table's rows: a run
-- is evidence of what the registry looked like and a cluster is closed by review, not removed.

create table dedup_run (
  id uuid primary key,
  status text not null default 'running' check (status in ('running', 'finished', 'failed')),
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  persons integer check (persons >= 0),
  candidate_pairs bigint check (candidate_pairs >= 0),
  accepted_pairs bigint check (accepted_pairs >= 0),
  clusters integer check (clusters >= 0),
  model jsonb check (model is null or jsonb_typeof(model) = 'object'),
  check ((status = 'running') = (finished_at is null))
);

comment on table dedup_run is 'One batch duplicate-detection run over the active persons of the registry (amparo dedup run).';
comment on column dedup_run.id is 'Run id; the audit actor of the run is dedup:<id>.';
comment on column dedup_run.status is 'running, finished (clusters written) or failed (no clusters written).';
comment on column dedup_run.started_at is 'When the run started reading the registry.';
comment on column dedup_run.finished_at is 'When the run finished or failed; null while running.';
comment on column dedup_run.persons is 'Active persons compared.';
comment on column dedup_run.candidate_pairs is 'Pairs compared after blocking.';
comment on column dedup_run.accepted_pairs is 'Pairs whose posterior match probability reached the acceptance threshold.';
comment on column dedup_run.clusters is 'Clusters of two or more persons written to dedup_cluster.';
comment on column dedup_run.model is 'The fitted Fellegi-Sunter model (schema, m and u per level, match rate, thresholds) as JSON: weights only, no attribute values.';

create table dedup_cluster (
  run_id uuid not null references dedup_run (id),
  cluster_id integer not null check (cluster_id >= 1),
  person_ids uuid[] not null check (cardinality(person_ids) >= 2),
  max_score double precision not null,
  status text not null default 'open' check (status in ('open', 'reviewed')),
  reviewed_by uuid,
  reviewed_at timestamptz,
  primary key (run_id, cluster_id),
  check ((status = 'reviewed') = (reviewed_at is not null))
);
create index dedup_cluster_open_idx on dedup_cluster (run_id, max_score desc) where status = 'open';

comment on table dedup_cluster is 'Persons a dedup run found to be one person enrolled several times, for a supervisor to review (merge or keep apart).';
comment on column dedup_cluster.run_id is 'The run that found the cluster.';
comment on column dedup_cluster.cluster_id is 'Number of the cluster within its run, 1 for the highest score.';
comment on column dedup_cluster.person_ids is 'The persons of the cluster (two or more); ids only, never attributes.';
comment on column dedup_cluster.max_score is 'Highest score (log2 Bayes factor, bits) of an accepted pair inside the cluster.';
comment on column dedup_cluster.status is 'open until a supervisor has reviewed it.';
comment on column dedup_cluster.reviewed_by is 'Supervisor who reviewed the cluster.';
comment on column dedup_cluster.reviewed_at is 'When the cluster was reviewed.';

grant select, insert on dedup_run, dedup_cluster to amparo_app;
grant update (status, finished_at, persons, candidate_pairs, accepted_pairs, clusters, model) on dedup_run to amparo_app;
grant update (status, reviewed_by, reviewed_at) on dedup_cluster to amparo_app;
