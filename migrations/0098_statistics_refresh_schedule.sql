-- The statistics refresh on a schedule (issue #17: "refreshed incrementally or on a schedule").
-- Every server process may run the schedule; this one row is what makes them one: a lease that
-- one process at a time holds while it refreshes (PostgreSQL and PGlite alike: a conditional
-- update, no session-level lock that a pooled connection could lose), and the last refresh's
-- time and outcome, shown on the statistics dashboard. `amparo statistics refresh` takes the
-- same lease. No personal data: times, an outcome and an error's code.
create table statistics_refresh_schedule (
  id smallint primary key check (id = 1),
  lease_holder uuid,
  lease_until timestamptz,
  last_started_at timestamptz,
  last_finished_at timestamptz,
  last_outcome text check (last_outcome in ('succeeded', 'failed', 'stopped')),
  last_error_code text check (last_error_code ~ '^[A-Za-z0-9_]{1,64}$'),
  last_succeeded_at timestamptz
);

insert into statistics_refresh_schedule (id) values (1);

comment on table statistics_refresh_schedule is 'One row: who holds the statistics refresh lease, and the last refresh''s time and outcome (issue #17).';
comment on column statistics_refresh_schedule.id is 'Always 1: the deployment has one schedule.';
comment on column statistics_refresh_schedule.lease_holder is 'The process (a random id per scheduler or command) refreshing now; null when none.';
comment on column statistics_refresh_schedule.lease_until is 'When the lease lapses unless renewed (after each table): a crashed holder blocks no one longer.';
comment on column statistics_refresh_schedule.last_started_at is 'When the last refresh began.';
comment on column statistics_refresh_schedule.last_finished_at is 'When the last refresh ended, whatever its outcome.';
comment on column statistics_refresh_schedule.last_outcome is 'succeeded, failed (retried at the next tick) or stopped (server closed; the next run resumes it).';
comment on column statistics_refresh_schedule.last_error_code is 'The failed refresh''s error code or class name; never a message (it could quote data).';
comment on column statistics_refresh_schedule.last_succeeded_at is 'When the last successful refresh began: a tick within half an interval of it does nothing.';

grant select on statistics_refresh_schedule to amparo_app;
grant update (lease_holder, lease_until, last_started_at, last_finished_at, last_outcome,
  last_error_code, last_succeeded_at) on statistics_refresh_schedule to amparo_app;
