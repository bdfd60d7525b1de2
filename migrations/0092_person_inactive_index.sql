-- Issue #13, performance of the grant (migration 0091): each chunk of a cycle's grant leaves out
-- the members whose record is no longer active (died, merged, erased). Joining every member with
-- every person of the chunk's range read as many person rows as members; the records that are
-- not active are few, so the registry's `inactivePersonsRelation` reads only them, through this
-- partial index, and the grant anti-joins that small set.
create index person_inactive_id on person (id) where status <> 'active';
comment on index person_inactive_id is 'Persons whose record is no longer active (deceased, merged, erased), by id: the few a cycle''s grant leaves out, read by range.';
