-- Issue #13, review: a member of an approved round who died, was merged or was erased between
-- the freeze and the grant got an open entitlement (the registry's event had found nothing to
-- end, the entitlement did not exist yet). The grant now writes entitlements only for members
-- whose record is still active (through the registry's `inactivePersonsRelation`) and counts
-- the others here, by the reason their entitlement would have ended with: what the cycle page
-- shows beside the grant's progress. Counted in each chunk's own transaction, so a grant that
-- stopped halfway and resumed counts every member once.
alter table program_cycle add column grant_skipped_death integer not null default 0
  check (grant_skipped_death >= 0);
alter table program_cycle add column grant_skipped_merge integer not null default 0
  check (grant_skipped_merge >= 0);
alter table program_cycle add column grant_skipped_erasure integer not null default 0
  check (grant_skipped_erasure >= 0);
comment on column program_cycle.grant_skipped_death is 'Members of the approved round not granted an entitlement because the person had died when their chunk was written.';
comment on column program_cycle.grant_skipped_merge is 'Members of the approved round not granted an entitlement because the record had been merged into another when their chunk was written.';
comment on column program_cycle.grant_skipped_erasure is 'Members of the approved round not granted an entitlement because the record had been erased when their chunk was written.';

grant update (grant_skipped_death, grant_skipped_merge, grant_skipped_erasure) on program_cycle to amparo_app;
