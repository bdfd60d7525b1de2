-- Issue #13, performance: approving a cycle of a million entitlements within 10 s, and the
-- entitlements for a million beneficiaries within 30 s. Measured at 200,000 entitlements on
-- the reference machine (load 8-10): the one INSERT that wrote them at approval took 14.2 s, of
-- which about 6 s were the three foreign-key checks run once per row (each also locks the
-- referenced person row, dirtying a million person pages); a million would pass the
-- application's 30 s statement limit, in the approver's request.
--
-- 1. Approval records the decision and the cycle becomes approved; the entitlements of its
--    final round are then written chunk by chunk (ranges of person ids), each chunk with its
--    progress in one transaction, so a grant stopped halfway (a crash, a kill) resumes at the
--    first chunk not written and writes nobody twice (the unique key refuses it as well).
--    Publication completes a grant first: a published cycle has all its entitlements.
-- 2. The per-row foreign keys of entitlement go: the per-statement check of migrations
--    0037/0038 already refuses any row whose cycle, program and person are not a member of the
--    cycle's final round (whose keys reference person and program_cycle) or an upheld appeal
--    (whose keys reference all three), and the application role deletes no person, program or
--    cycle (it holds no DELETE on them). At 200,000 entitlements: 14.2 s → 8.1 s.
alter table entitlement drop constraint entitlement_cycle_id_fkey;
alter table entitlement drop constraint entitlement_program_id_fkey;
alter table entitlement drop constraint entitlement_person_id_fkey;
comment on table entitlement is 'What a person receives from a cycle: one per beneficiary, program and cycle, traced to the rule or a decided appeal. Rows are checked per INSERT statement (entitlement_basis_check): the cycle, program and person are those of a member of the cycle''s final round or of an upheld appeal.';

alter table program_cycle add column grant_chunks_total integer not null default 1
  check (grant_chunks_total between 1 and 4096);
alter table program_cycle add column grant_chunks_done integer not null default 0
  check (grant_chunks_done >= 0 and grant_chunks_done <= grant_chunks_total);
alter table program_cycle add column entitlements_granted_at timestamptz;
comment on column program_cycle.grant_chunks_total is 'Chunks of person ids (equal ranges of the first bytes of the UUID) in which the approved round''s entitlements are written; set at approval, by the round''s size.';
comment on column program_cycle.grant_chunks_done is 'Chunks of person ids whose entitlements are written since approval (see entitlements_granted_at); a stopped grant resumes at this one.';
comment on column program_cycle.entitlements_granted_at is 'When the last chunk of entitlements of the approved round was written; null while they are being written or before approval.';

grant update (grant_chunks_total, grant_chunks_done, entitlements_granted_at) on program_cycle to amparo_app;
