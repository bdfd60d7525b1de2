-- Texts say nothing about a benefit beyond what its program opted into (issue 14, point 4).
-- By default a text about a published entitlement says "you have something to collect at
-- <point>", never which program: a stranger holding the phone learns nothing more. A program
-- version may opt into being named ("Food box available at …"): the version's content says
-- so, and like the rest of the content it is approved by a second operator before it is
-- published. A row here is that opt-in; no row, no name.
create table program_text_naming (
  program_id uuid not null,
  version integer not null check (version >= 1),
  created_at timestamptz not null default now(),
  primary key (program_id, version),
  foreign key (program_id, version) references program_version (program_id, version)
);

comment on table program_text_naming is 'Program versions whose texts may name the program (issue 14, point 4); without a row a text names no program. Append-only, like program_version.';
comment on column program_text_naming.program_id is 'The program (program_version.program_id).';
comment on column program_text_naming.version is 'The version that opted in (program_version.version).';
comment on column program_text_naming.created_at is 'When the version was saved with the opt-in.';

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
