-- Texts say nothing about a benefit beyond what its program opted into (issue 14, point 4).
-- By default a text about a published entitlement says "you have something to collect at
-- <point>", never which program: a stranger holding the phone learns nothing more. A program
-- version may opt into being named ("Food box available at …"): the version's content says
-- so, and like the rest of the content it is approved by a second operator before it is
-- published. A row here is that opt-in; no row, no name.
--
-- The rows belong to program_version (migration 0030), which a fresh database creates after
-- this file (the number range of the work that added it), so no foreign key can name it: a
-- constraint trigger checks at commit that the version exists. The programs module writes the
-- row in the transaction that saves the version. Like the version, it never changes.

create table program_text_naming (
  program_id uuid not null,
  version integer not null check (version >= 1),
  created_at timestamptz not null default now(),
  primary key (program_id, version)
);

comment on table program_text_naming is 'Program versions whose texts may name the program (issue 14, point 4); without a row a text names no program. Append-only, like program_version.';
comment on column program_text_naming.program_id is 'The program (program_version.program_id; checked at commit by a constraint trigger).';
comment on column program_text_naming.version is 'The version that opted in (program_version.version).';
comment on column program_text_naming.created_at is 'When the version was saved with the opt-in.';

create function program_text_naming_version_exists() returns trigger
  language plpgsql
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  if not exists (select 1 from program_version v
                 where v.program_id = new.program_id and v.version = new.version) then
    raise exception 'program % has no version %', new.program_id, new.version
      using errcode = '23503';
  end if;
  return null;
end;
$$;
comment on function program_text_naming_version_exists() is 'Refuses at commit an opt-in to being named in texts for a program version that does not exist.';

create constraint trigger program_text_naming_version_exists after insert on program_text_naming
  deferrable initially deferred
  for each row execute function program_text_naming_version_exists();

create function program_text_naming_immutable() returns trigger
  language plpgsql
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  raise exception 'an opt-in to being named in texts is part of its program version and never changes'
    using errcode = '42501';
end;
$$;
comment on function program_text_naming_immutable() is 'Refuses UPDATE, DELETE and TRUNCATE of program_text_naming, whoever connects.';

create trigger program_text_naming_immutable before update or delete on program_text_naming
  for each row execute function program_text_naming_immutable();
create trigger program_text_naming_no_truncate before truncate on program_text_naming
  for each statement execute function program_text_naming_immutable();

grant select, insert on program_text_naming to amparo_app;
