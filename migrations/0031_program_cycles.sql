-- Cycles and entitlements (issue #13, point 4). A cycle applies one published program version
-- at one reference date. Its eligible set is computed by the rule in the database and frozen:
-- each computation is a numbered round of append-only rows, so later registry edits change
-- nothing, and a recomputation is a new round whose difference from the last can be shown.
-- Entitlements come only from a cycle's final round (or a decided appeal): nobody is added by
-- hand. Approval may need two different approvers; the database refuses one approver twice.

create table program_cycle (
  id uuid primary key,
  program_id uuid not null references program (id),
  version integer not null,
  reference_date date not null,
  status text not null default 'computed' check (status in ('computed', 'approved', 'closed')),
  round integer not null default 1 check (round >= 1),
  approvals_required integer not null default 1 check (approvals_required in (1, 2)),
  created_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (program_id, reference_date),
  foreign key (program_id, version) references program_version (program_id, version)
);

comment on table program_cycle is 'One run of a program: a published version applied at a reference date; computed, approved, closed.';
comment on column program_cycle.id is 'Database key (UUID).';
comment on column program_cycle.program_id is 'The program.';
comment on column program_cycle.version is 'The program version whose rule and benefit apply (published when the cycle was created).';
comment on column program_cycle.reference_date is 'Date at which ages and household composition are taken.';
comment on column program_cycle.status is 'computed (eligible set frozen, awaiting approval), approved (entitlements exist), closed.';
comment on column program_cycle.round is 'The current computation round; a recomputation adds one.';
comment on column program_cycle.approvals_required is 'Different approvers needed: 2 when a cash cycle''s total exceeds the configured threshold.';
comment on column program_cycle.created_by is 'Operator who created the cycle.';
comment on column program_cycle.created_at is 'When the cycle was created.';
comment on column program_cycle.updated_at is 'When status or round last changed.';

create table program_cycle_member (
  cycle_id uuid not null references program_cycle (id),
  round integer not null check (round >= 1),
  person_id uuid not null references person (id),
  region_code text not null check (region_code ~ '^VE-[A-Z]$'),
  amount_minor bigint check (amount_minor is null or amount_minor >= 0),
  primary key (cycle_id, round, person_id)
);

comment on table program_cycle_member is 'The frozen eligible set of each computation round of a cycle, as the rule selected it.';
comment on column program_cycle_member.cycle_id is 'The cycle.';
comment on column program_cycle_member.round is 'The computation round.';
comment on column program_cycle_member.person_id is 'A beneficiary the rule selected (for a household program, the head).';
comment on column program_cycle_member.region_code is 'The beneficiary''s state when computed, for counts by state.';
comment on column program_cycle_member.amount_minor is 'Cash or voucher amount in minor units (fixed or by formula); null for in-kind and services.';

create table program_cycle_approval (
  cycle_id uuid not null references program_cycle (id),
  round integer not null check (round >= 1),
  approved_by uuid not null,
  approved_at timestamptz not null default now(),
  primary key (cycle_id, round, approved_by)
);

comment on table program_cycle_approval is 'Approvals of a cycle''s computed round; one per approver, so two approvals are two people.';
comment on column program_cycle_approval.cycle_id is 'The cycle.';
comment on column program_cycle_approval.round is 'The round approved: a recomputation needs new approvals.';
comment on column program_cycle_approval.approved_by is 'Operator who approved.';
comment on column program_cycle_approval.approved_at is 'When.';

create table entitlement (
  id uuid primary key,
  cycle_id uuid not null references program_cycle (id),
  program_id uuid not null references program (id),
  person_id uuid not null references person (id),
  basis text not null check (basis in ('rule', 'appeal')),
  amount_minor bigint check (amount_minor is null or amount_minor >= 0),
  status text not null default 'open' check (status in ('open', 'ended')),
  ended_reason text check (ended_reason is null or ended_reason in ('death', 'merge', 'erasure', 'cycle_closed')),
  created_at timestamptz not null default now(),
  ended_at timestamptz,
  unique (program_id, cycle_id, person_id),
  check ((status = 'ended') = (ended_reason is not null)),
  check ((ended_reason is null) = (ended_at is null))
);
create index entitlement_person_idx on entitlement (person_id);

comment on table entitlement is 'What a person receives from a cycle: one per beneficiary, program and cycle, traced to the rule or a decided appeal.';
comment on column entitlement.id is 'Database key (UUID).';
comment on column entitlement.cycle_id is 'The cycle.';
comment on column entitlement.program_id is 'The program (repeated for the uniqueness of beneficiary, program and cycle).';
comment on column entitlement.person_id is 'The beneficiary.';
comment on column entitlement.basis is 'rule (selected by the cycle''s frozen set) or appeal (granted by an upheld appeal).';
comment on column entitlement.amount_minor is 'Cash or voucher amount in minor units; null for in-kind and services.';
comment on column entitlement.status is 'open, or ended (with the reason).';
comment on column entitlement.ended_reason is 'Why it ended: death, merge, erasure, or the cycle closed.';
comment on column entitlement.created_at is 'When it was granted.';
comment on column entitlement.ended_at is 'When it ended.';

create trigger program_cycle_member_immutable before update or delete on program_cycle_member
  for each row execute function program_history_immutable();
create trigger program_cycle_approval_immutable before update or delete on program_cycle_approval
  for each row execute function program_history_immutable();

-- An entitlement based on the rule must name a member of its cycle's current round: no one is
-- added to a cycle by hand, whatever connects as the application.
create function entitlement_basis_guard() returns trigger
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
  return new;
end;
$$;
comment on function entitlement_basis_guard() is 'Refuses an entitlement by rule for a person the cycle''s rule did not select.';

create trigger entitlement_basis_guard before insert on entitlement
  for each row execute function entitlement_basis_guard();

grant select, insert on program_cycle, program_cycle_member, program_cycle_approval, entitlement to amparo_app;
grant update (status, round, approvals_required, updated_at) on program_cycle to amparo_app;
grant update (status, ended_reason, ended_at) on entitlement to amparo_app;
