-- Issue #13, performance: a cycle's eligible set over a million persons. Each chunk of a
-- round's computation inserts its members in one statement; the two foreign keys of
-- program_cycle_member ran once per row, each an SPI query that also locks the referenced row
-- (FOR KEY SHARE: the cycle's one row thousands of times, and every person's row, dirtying
-- its page). Measured at 100,000 persons, a chunk of 1,518 members (load 9-11): the select
-- 29 ms, the insert 22 ms, the two foreign-key checks 87 ms.
--
-- As for entitlements (migration 0033), the per-row foreign keys go and one check per INSERT
-- statement takes their place: every inserted member names an existing cycle and an existing
-- person, probed per row by primary key (subplans with OFFSET, never flattened into a join
-- that reads a whole table, as in migration 0041), without locking either. The application
-- role deletes no person and no cycle (it holds no DELETE on them), so the references cannot
-- go away after the insert. Same guarantee for what is written: a statement with one bad row
-- writes nothing.
alter table program_cycle_member drop constraint program_cycle_member_cycle_id_fkey;
alter table program_cycle_member drop constraint program_cycle_member_person_id_fkey;

create function program_cycle_member_reference_check() returns trigger
  language plpgsql
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  if exists (
       select 1 from inserted_member n
        where not exists (select 1 from program_cycle c where c.id = n.cycle_id offset 0)
           or not exists (select 1 from person p where p.id = n.person_id offset 0)) then
    raise exception 'a cycle member must name an existing cycle and an existing person'
      using errcode = '23503';
  end if;
  return null;
end;
$$;
comment on function program_cycle_member_reference_check() is 'Refuses, once per INSERT statement, a cycle member whose cycle or person does not exist (in place of per-row foreign keys); the statement then writes nothing.';

create trigger program_cycle_member_reference_check after insert on program_cycle_member
  referencing new table as inserted_member
  for each statement execute function program_cycle_member_reference_check();

comment on table program_cycle_member is 'The frozen eligible set of each computation round of a cycle, as the rule selected it. Its cycle and person are checked per INSERT statement (program_cycle_member_reference_check), not by per-row foreign keys.';
