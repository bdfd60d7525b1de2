-- Issue #13, performance: approving a cycle of a million entitlements within 10 s. The check
-- that an entitlement by rule names a member of its cycle's final round (and one by appeal an
-- upheld appeal) ran once per row in PL/pgSQL: a million calls, each planned without
-- statistics on a freshly written member table, which on PostgreSQL chose a scan per row and
-- ran past the statement limit at 100,000 entitlements. It now runs once per statement over
-- the inserted rows (a transition table): the same refusal, with the same error code, and
-- nothing of the statement written, as one anti-join.
drop trigger entitlement_basis_guard on entitlement;
drop function entitlement_basis_guard();

create function entitlement_basis_check() returns trigger
  language plpgsql
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  if exists (
       select 1 from inserted_entitlement e
        where e.basis = 'rule' and not exists (
          select 1 from program_cycle c join program_cycle_member m
              on m.cycle_id = c.id and m.round = c.round
           where c.id = e.cycle_id and c.program_id = e.program_id
             and m.person_id = e.person_id)) then
    raise exception 'an entitlement by rule needs the person in the cycle''s eligible set'
      using errcode = '42501';
  end if;
  if exists (
       select 1 from inserted_entitlement e
        where e.basis = 'appeal' and not exists (
          select 1 from appeal a
           where a.cycle_id = e.cycle_id and a.program_id = e.program_id
             and a.person_id = e.person_id and a.status = 'decided' and a.outcome = 'upheld'
             and a.entitlement_id is null)) then
    raise exception 'an entitlement by appeal needs an upheld appeal of the person in the cycle'
      using errcode = '42501';
  end if;
  return null;
end;
$$;
comment on function entitlement_basis_check() is 'Refuses, once per INSERT statement, an entitlement by rule for a person the cycle''s rule did not select, and one by appeal without an upheld appeal; the statement then writes nothing.';

create trigger entitlement_basis_check after insert on entitlement
  referencing new table as inserted_entitlement
  for each statement execute function entitlement_basis_check();
