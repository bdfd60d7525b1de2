-- Issue #17, point 2: appeals filed and upheld by state × municipality × program × cycle, as
-- measures of the coverage cube. An appeal records the state of the person when filed (whose
-- program officers decide); the municipality of residence is now recorded beside it, at filing,
-- as a cycle's member records it at the freeze (migration 0049), for aggregate statistics only.
-- Null for appeals filed before this column existed, or whose record names no municipality:
-- statistics counts them under their state's "unknown" municipality.
alter table appeal add column municipality_code text;

comment on column appeal.municipality_code is 'The person''s municipality of residence when filed (registry attribute municipality_code), or null when unknown; for aggregate statistics only.';
