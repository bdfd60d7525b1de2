-- Anti-scraping (safeguard 10): per-operator hourly counters of person reads, and alerts
-- that auditors see when an operator goes beyond the quota of their roles.

create table operator_read_window (
  operator_id uuid not null references operator (id),
  window_start timestamptz not null,
  reads integer not null default 0 check (reads >= 0),
  primary key (operator_id, window_start)
);

comment on table operator_read_window is 'Person records read by each operator per clock hour, for read quotas. Counters only, no record identities.';
comment on column operator_read_window.operator_id is 'The operator.';
comment on column operator_read_window.window_start is 'Start of the clock hour counted (UTC).';
comment on column operator_read_window.reads is 'Person records read (or attempted) in the hour.';

create table security_alert (
  id uuid primary key,
  kind text not null check (kind in ('read_quota_exceeded')),
  operator_id uuid references operator (id),
  details jsonb not null check (jsonb_typeof(details) = 'object'),
  created_at timestamptz not null default now()
);
create index security_alert_created_idx on security_alert (created_at desc);

comment on table security_alert is 'Security alerts for auditors, such as an operator reading beyond their quota. Append-only.';
comment on column security_alert.id is 'Alert id.';
comment on column security_alert.kind is 'What happened: read_quota_exceeded.';
comment on column security_alert.operator_id is 'The operator concerned, when there is one.';
comment on column security_alert.details is 'Counts and limits; never personal data of the persons read.';
comment on column security_alert.created_at is 'When the alert was raised.';

grant select, insert on operator_read_window, security_alert to amparo_app;
grant update (reads) on operator_read_window to amparo_app;
-- Old windows are pruned by the application; they hold counters only.
grant delete on operator_read_window to amparo_app;
