-- Issue #13, performance: a cycle's eligible set over a million persons within 10 s. The
-- per-statement member check of migration 0043 probed, for every inserted member, the cycle's
-- primary key and the person's primary key and heap page (subplans with OFFSET): a chunk of
-- 50,000 members made 100,000 probes, about 40 µs a member, a quarter of the chunk (session
-- 10, BENCHMARKS.md).
--
-- Same guarantee, fewer reads. The statement's rows name one cycle (a chunk is one cycle's
-- round): its distinct cycles are probed once each. Its persons are proved by one join with
-- `person` narrowed to the statement's lowest and highest person id, planned for the actual
-- range and row count each time (EXECUTE): a chunk's members lie in one range of the id space,
-- so the planner reads that range of `person` once (a hash or merge join) instead of probing
-- per member, and still probes per row when the statement is a few rows over a wide range
-- (an appeal, a test). Every inserted row must find its person: the count of rows that join
-- must equal the count of rows inserted, or nothing of the statement is written. The
-- application role still cannot delete a person or a cycle, so the references cannot go away.
create or replace function program_cycle_member_reference_check() returns trigger
  language plpgsql
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  inserted bigint;
  lowest text;
  highest text;
  first_cycle text;
  last_cycle text;
  proved bigint;
begin
  -- One pass over the statement's rows. PostgreSQL 15 has no min() or max() over uuid; the
  -- canonical text of a uuid (fixed-place hyphens, lowercase hex) sorts in uuid order under
  -- the "C" collation.
  select count(*),
         min(n.person_id::text collate "C"), max(n.person_id::text collate "C"),
         min(n.cycle_id::text collate "C"), max(n.cycle_id::text collate "C")
    into inserted, lowest, highest, first_cycle, last_cycle
    from inserted_member n;
  if inserted = 0 then
    return null;
  end if;
  if (first_cycle = last_cycle
      and not exists (select 1 from program_cycle c where c.id = first_cycle::uuid))
     or (first_cycle <> last_cycle and exists (
       select 1 from (select distinct n.cycle_id from inserted_member n) n
        where not exists (select 1 from program_cycle c where c.id = n.cycle_id))) then
    raise exception 'a cycle member must name an existing cycle and an existing person'
      using errcode = '23503';
  end if;
  execute 'select count(*) from inserted_member n join person p on p.id = n.person_id
            where p.id between $1 and $2'
    into proved using lowest::uuid, highest::uuid;
  if proved <> inserted then
    raise exception 'a cycle member must name an existing cycle and an existing person'
      using errcode = '23503';
  end if;
  return null;
end;
$$;
comment on function program_cycle_member_reference_check() is 'Refuses, once per INSERT statement, a cycle member whose cycle or person does not exist (in place of per-row foreign keys); the statement then writes nothing. Probes each distinct cycle once and proves the persons by one join over the statement''s range of person ids.';
