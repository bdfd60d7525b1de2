-- Issue #17, point 2: "enrolled" in coverage by state × municipality × program × cycle. A cycle's
-- run considers every active person in the program's regions (the rule then selects the frozen
-- set among them); each chunk of the run now also records how many it considered, by the state
-- and municipality they lived in, in the same statement (so the same snapshot) as the chunk's
-- members. Coverage publishes it as "enrolled", the parent of "eligible": the members of an area
-- are among the persons counted here for that area, so eligible ≤ enrolled holds in every area.
-- Counts only, never a person: aggregate statistics read it through the programs module.
create table program_cycle_area_count (
  cycle_id uuid not null references program_cycle (id),
  round integer not null check (round >= 1),
  chunk_from uuid not null,
  region_code text not null check (region_code ~ '^VE-[A-Z]$'),
  municipality_code text not null,
  persons integer not null check (persons > 0),
  primary key (cycle_id, round, chunk_from, region_code, municipality_code)
);

comment on table program_cycle_area_count is 'How many active persons in the program''s regions each chunk of a cycle''s round considered, by state and municipality of residence (issue #17: coverage''s "enrolled"); written with the chunk''s members.';
comment on column program_cycle_area_count.cycle_id is 'The cycle.';
comment on column program_cycle_area_count.round is 'The round computed.';
comment on column program_cycle_area_count.chunk_from is 'The first person id of the chunk''s range: one row per chunk and area.';
comment on column program_cycle_area_count.region_code is 'The state the persons lived in when the chunk was computed.';
comment on column program_cycle_area_count.municipality_code is 'Their municipality of residence (registry attribute municipality_code), or the empty string when the record names none.';
comment on column program_cycle_area_count.persons is 'Active persons in the area the chunk considered.';

grant select, insert on program_cycle_area_count to amparo_app;
