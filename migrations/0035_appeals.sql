-- Appeals (issue #13, point 7). A person who is out of a program's cycle may appeal: filed by
-- the person or by a clerk on their behalf, assigned to a program officer, decided by someone
-- other than the filer. Upheld grants the entitlement in that cycle (the only way besides the
-- rule); rejected carries a reason; a data error sends the record to a registry correction
-- first and names the corrected version when decided. Every step is a row of appeal_step,
-- which the person sees. Free text (the person's statement, the decision's reason) lives only
-- on the appeal row, so an erasure can blank it; steps hold identifiers only.

create table appeal (
  id uuid primary key,
  person_id uuid not null references person (id),
  program_id uuid not null references program (id),
  cycle_id uuid not null references program_cycle (id),
  version integer not null,
  region_code text not null check (region_code ~ '^VE-[A-Z]$'),
  statement text not null check (char_length(statement) <= 2000),
  filed_by_kind text not null check (filed_by_kind in ('citizen', 'operator')),
  filed_by uuid not null,
  status text not null default 'filed'
    check (status in ('filed', 'assigned', 'awaiting_correction', 'decided', 'closed')),
  assigned_to uuid,
  assigned_at timestamptz,
  assign_due_at timestamptz not null,
  decide_due_at timestamptz not null,
  outcome text check (outcome is null or outcome in ('upheld', 'rejected')),
  decision_reason text check (decision_reason is null or char_length(decision_reason) <= 2000),
  data_error_fields text[],
  correction_version integer,
  decided_by uuid,
  decided_at timestamptz,
  entitlement_id uuid references entitlement (id),
  closed_reason text check (closed_reason is null or closed_reason in ('death', 'merge', 'erasure')),
  filed_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  foreign key (program_id, version) references program_version (program_id, version),
  check ((status = 'decided') = (outcome is not null)),
  check ((status = 'closed') = (closed_reason is not null)),
  check (decided_by is null or filed_by_kind = 'citizen' or decided_by <> filed_by)
);
-- One open appeal per person, program and cycle; a decided one may not be filed again.
create unique index appeal_one_per_cycle on appeal (person_id, cycle_id) where status <> 'closed';
create index appeal_person_idx on appeal (person_id);
create index appeal_open_idx on appeal (region_code, decide_due_at)
  where status in ('filed', 'assigned', 'awaiting_correction');

comment on table appeal is 'An appeal against being out of a program''s cycle: filed, assigned, decided (or closed by a death, merge or erasure).';
comment on column appeal.id is 'Database key (UUID).';
comment on column appeal.person_id is 'The person appealing (the beneficiary the appeal is about).';
comment on column appeal.program_id is 'The program.';
comment on column appeal.cycle_id is 'The cycle appealed: an upheld appeal grants the entitlement in it.';
comment on column appeal.version is 'The program version (rule) the cycle applied, shown to the person.';
comment on column appeal.region_code is 'The person''s state when filed: whose program officers decide.';
comment on column appeal.statement is 'What the person says, in their words (blanked by an erasure).';
comment on column appeal.filed_by_kind is 'citizen (the person, signed in) or operator (a clerk on their behalf).';
comment on column appeal.filed_by is 'The person''s id or the clerk''s operator id.';
comment on column appeal.status is 'filed, assigned, awaiting_correction (a data error sent to the registry), decided, closed.';
comment on column appeal.assigned_to is 'The program officer deciding it.';
comment on column appeal.assigned_at is 'When it was last assigned.';
comment on column appeal.assign_due_at is 'Service level: assigned by then (limits.programs.appeals).';
comment on column appeal.decide_due_at is 'Service level: decided by then (limits.programs.appeals).';
comment on column appeal.outcome is 'upheld (entitlement granted) or rejected.';
comment on column appeal.decision_reason is 'Why, in the decider''s words (blanked by an erasure).';
comment on column appeal.data_error_fields is 'Facts the decider found wrong in the registry, sent for correction.';
comment on column appeal.correction_version is 'The person version the registry correction wrote, named when the appeal was decided.';
comment on column appeal.decided_by is 'Operator who decided (never the filer).';
comment on column appeal.decided_at is 'When it was decided.';
comment on column appeal.entitlement_id is 'The entitlement an upheld appeal granted.';
comment on column appeal.closed_reason is 'Closed undecided: the person died, was merged or erased.';
comment on column appeal.filed_at is 'When it was filed.';
comment on column appeal.updated_at is 'When it last changed.';

create table appeal_step (
  appeal_id uuid not null references appeal (id),
  step integer not null check (step >= 1),
  kind text not null
    check (kind in ('filed', 'assigned', 'data_error', 'upheld', 'rejected', 'closed')),
  actor_kind text not null check (actor_kind in ('citizen', 'operator', 'system')),
  actor_role text,
  actor_id text not null,
  at timestamptz not null default now(),
  primary key (appeal_id, step)
);

comment on table appeal_step is 'Each step of an appeal, append-only, shown to the person: who (role) did what, when.';
comment on column appeal_step.appeal_id is 'The appeal.';
comment on column appeal_step.step is 'Order of the step within the appeal.';
comment on column appeal_step.kind is 'filed, assigned, data_error, upheld, rejected, closed.';
comment on column appeal_step.actor_kind is 'citizen, operator or system (a registry event).';
comment on column appeal_step.actor_role is 'The role the step was allowed under (citizen, enrolment_clerk, program_officer); null for system.';
comment on column appeal_step.actor_id is 'Person id, operator id or system job name.';
comment on column appeal_step.at is 'When.';

create trigger appeal_step_immutable before update or delete on appeal_step
  for each row execute function program_history_immutable();

-- An entitlement by appeal must name an upheld appeal of that person in that cycle: the only
-- way besides the rule that puts a person in a cycle, whatever connects as the application.
create or replace function entitlement_basis_guard() returns trigger
  language plpgsql
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  if new.basis = 'rule' and not exists (
       select 1 from program_cycle c join program_cycle_member m
           on m.cycle_id = c.id and m.round = c.round
        where c.id = new.cycle_id and c.program_id = new.program_id
          and m.person_id = new.person_id) then
    raise exception 'an entitlement by rule needs the person in the cycle''s eligible set'
      using errcode = '42501';
  end if;
  if new.basis = 'appeal' and not exists (
       select 1 from appeal a
        where a.cycle_id = new.cycle_id and a.program_id = new.program_id
          and a.person_id = new.person_id and a.status = 'decided' and a.outcome = 'upheld'
          and a.entitlement_id is null) then
    raise exception 'an entitlement by appeal needs an upheld appeal of the person in the cycle'
      using errcode = '42501';
  end if;
  return new;
end;
$$;
comment on function entitlement_basis_guard() is 'Refuses an entitlement by rule for a person the cycle''s rule did not select, and one by appeal without an upheld appeal.';

grant select, insert on appeal, appeal_step to amparo_app;
grant update (status, assigned_to, assigned_at, outcome, decision_reason, data_error_fields,
  correction_version, decided_by, decided_at, entitlement_id, closed_reason, statement,
  updated_at) on appeal to amparo_app;
