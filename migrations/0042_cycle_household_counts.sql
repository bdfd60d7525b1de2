-- Issue #13, point 4 and performance: a rule that reads a household count (household_size,
-- members_under_5/18, members_over_65) made every chunk of a cycle's computation read every
-- person and membership to count its households' members (quadratic in chunks × population).
-- A round's household counts are now computed once, in the transaction of its first chunk,
-- and every chunk joins them; they are deleted in the transaction of the last chunk, since the
-- frozen set (program_cycle_member) is what the round keeps. Written with the first chunk, so
-- a run killed halfway resumes with the counts its earlier chunks used.
create table program_cycle_household (
  cycle_id uuid not null references program_cycle (id),
  round integer not null check (round >= 1),
  household_id uuid not null,
  household_size bigint not null check (household_size >= 1),
  members_under_5 bigint not null check (members_under_5 >= 0),
  members_under_18 bigint not null check (members_under_18 >= 0),
  members_over_65 bigint not null check (members_over_65 >= 0),
  primary key (cycle_id, round, household_id)
);

comment on table program_cycle_household is 'Household counts at a cycle''s reference date, computed once for a round being computed whose rule or formula reads one; removed when the round''s last chunk is written.';
comment on column program_cycle_household.cycle_id is 'The cycle.';
comment on column program_cycle_household.round is 'The round being computed.';
comment on column program_cycle_household.household_id is 'A household with at least one active member (the registry''s household, not a foreign key: the registry owns it).';
comment on column program_cycle_household.household_size is 'Active current members, at the start of the round.';
comment on column program_cycle_household.members_under_5 is 'Members younger than 5 at the reference date.';
comment on column program_cycle_household.members_under_18 is 'Members younger than 18 at the reference date.';
comment on column program_cycle_household.members_over_65 is 'Members aged 65 or more at the reference date.';

grant select, insert, delete on program_cycle_household to amparo_app;
