-- Cycle computation as a resumable batch job, cycle publication, and the program supervisor
-- (issue #13, points 4 and 9). A round of a cycle is computed in chunks of the person-id
-- space; each chunk's members and the run's progress are written in one transaction, so a
-- computation killed halfway resumes at the first chunk not written and never writes a
-- member twice (the primary key of program_cycle_member refuses it too). A cycle is now
-- computing (a round is being written), computed (frozen, awaiting approval), approved
-- (entitlements exist), published (beneficiaries are told) or closed.

alter table program_cycle drop constraint program_cycle_status_check;
alter table program_cycle add constraint program_cycle_status_check
  check (status in ('computing', 'computed', 'approved', 'published', 'closed'));
comment on column program_cycle.status is 'computing (a round is being written, see program_cycle_run), computed (eligible set frozen, awaiting approval), approved (entitlements exist), published (beneficiaries told), closed.';

create table program_cycle_run (
  cycle_id uuid not null references program_cycle (id),
  round integer not null check (round >= 1),
  chunks_total integer not null check (chunks_total between 1 and 4096),
  chunks_done integer not null default 0 check (chunks_done >= 0 and chunks_done <= chunks_total),
  started_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz,
  primary key (cycle_id, round),
  check ((finished_at is null) = (chunks_done < chunks_total))
);

comment on table program_cycle_run is 'Progress of computing one round of a cycle: the person-id space is cut into chunks, each written with its progress in one transaction, so a killed run resumes without writing anyone twice.';
comment on column program_cycle_run.cycle_id is 'The cycle.';
comment on column program_cycle_run.round is 'The round being computed.';
comment on column program_cycle_run.chunks_total is 'Chunks of the person-id space (equal ranges of the first bytes of the UUID).';
comment on column program_cycle_run.chunks_done is 'Chunks written so far, in order; the next run starts at this one.';
comment on column program_cycle_run.started_at is 'When the round was started.';
comment on column program_cycle_run.updated_at is 'When the last chunk was written.';
comment on column program_cycle_run.finished_at is 'When the last chunk was written; null while computing.';

-- Progress only moves forward and a finished run never changes.
create function program_cycle_run_guard() returns trigger
  language plpgsql
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  if new.cycle_id <> old.cycle_id or new.round <> old.round or new.chunks_total <> old.chunks_total
     or new.started_at <> old.started_at then
    raise exception 'a cycle run''s identity never changes' using errcode = '42501';
  end if;
  if old.finished_at is not null or new.chunks_done <> old.chunks_done + 1 then
    raise exception 'a cycle run advances one chunk at a time and never after it finished'
      using errcode = '42501';
  end if;
  return new;
end;
$$;
comment on function program_cycle_run_guard() is 'A cycle run advances by one chunk per update and never changes once finished.';

create trigger program_cycle_run_guard before update on program_cycle_run
  for each row execute function program_cycle_run_guard();
create trigger program_cycle_run_no_delete before delete on program_cycle_run
  for each row execute function program_history_immutable();

-- A program supervisor approves publications and cycles (docs/ACCESS.md).
alter table operator drop constraint operator_roles_check;
alter table operator add constraint operator_roles_check check (
  roles <@ array['enrolment_clerk', 'registry_supervisor', 'program_officer', 'program_supervisor', 'distribution_operator', 'auditor', 'statistics_analyst', 'administrator']
);
comment on column operator.roles is 'Roles held: enrolment_clerk, registry_supervisor, program_officer, program_supervisor, distribution_operator, auditor, statistics_analyst, administrator.';
alter table operator_change drop constraint operator_change_add_roles_check;
alter table operator_change add constraint operator_change_add_roles_check check (
  add_roles <@ array['enrolment_clerk', 'registry_supervisor', 'program_officer', 'program_supervisor', 'distribution_operator', 'auditor', 'statistics_analyst', 'administrator']
);

grant select, insert on program_cycle_run to amparo_app;
grant update (chunks_done, updated_at, finished_at) on program_cycle_run to amparo_app;
