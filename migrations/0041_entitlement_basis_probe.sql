-- Issue #13, performance: entitlements for a million beneficiaries within 30 s. The
-- per-statement check of migrations 0037/0038 ran as a hash anti-join whose hashed side was
-- every member of every round of every cycle (program_cycle_member read whole): for each chunk
-- of a grant it read the whole table, so a grant of n members in k chunks read k × n rows, and
-- after a year of monthly cycles each chunk would read twelve cycles' members. Measured at
-- 200,000 members in 16 chunks (load 9): the check took 169 ms of a 340 ms chunk, and grew with
-- the table, not with the chunk.
--
-- The check now probes, for each inserted row, the cycle's current round and then the member's
-- primary key (cycle_id, round, person_id): work in proportion to the rows inserted, whatever
-- the size of the member table. The probes are subplans run per row: an EXISTS whose subquery
-- has an OFFSET is never flattened into a join (PostgreSQL drops a LIMIT there, not an OFFSET),
-- and the round is a scalar subquery; so the plan cannot fall back to reading the whole table,
-- and the nested-loop switch of 0038 is no longer needed. Same refusal, same error code, nothing
-- of the statement written.
create or replace function entitlement_basis_check() returns trigger
  language plpgsql
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  if exists (
       select 1 from inserted_entitlement e
        where e.basis = 'rule' and not exists (
          select 1 from program_cycle_member m
           where m.cycle_id = e.cycle_id
             and m.person_id = e.person_id
             and m.round = (select c.round from program_cycle c
                             where c.id = e.cycle_id and c.program_id = e.program_id)
           offset 0)) then
    raise exception 'an entitlement by rule needs the person in the cycle''s eligible set'
      using errcode = '42501';
  end if;
  if exists (
       select 1 from inserted_entitlement e
        where e.basis = 'appeal' and not exists (
          select 1 from appeal a
           where a.cycle_id = e.cycle_id and a.program_id = e.program_id
             and a.person_id = e.person_id and a.status = 'decided' and a.outcome = 'upheld'
             and a.entitlement_id is null
           offset 0)) then
    raise exception 'an entitlement by appeal needs an upheld appeal of the person in the cycle'
      using errcode = '42501';
  end if;
  return null;
end;
$$;
alter function entitlement_basis_check() reset enable_nestloop;
comment on function entitlement_basis_check() is 'Refuses, once per INSERT statement, an entitlement by rule for a person the cycle''s rule did not select, and one by appeal without an upheld appeal; the statement then writes nothing. Probes the member''s primary key per inserted row.';
