-- Issue #17, point 2: coverage by state × municipality × program × cycle. A cycle's frozen set
-- records each member's state (region_code); the municipality of residence is recorded beside
-- it when the set is frozen, so coverage counts every measure (eligible, entitled, redeemed)
-- by the area the member lived in at the freeze, and the municipalities add up to their state.
-- Null for members frozen before this column existed, or whose record names no municipality:
-- statistics counts them under their state's "unknown" municipality.
-- No check here: the registry validates the code against the divisions when it is written.
alter table program_cycle_member add column municipality_code text;

comment on column program_cycle_member.municipality_code is 'The member''s municipality of residence when the set was frozen (registry attribute municipality_code), or null when unknown; for aggregate statistics only.';
