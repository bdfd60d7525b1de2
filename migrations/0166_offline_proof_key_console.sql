-- The card-proof key rotated from the console too (docs/DISTRIBUTION.md, "Key management and
-- rotation"): an administrator's `POST /api/distribution/card-proof-key/rotations`, audited as
-- `distribution.proof_key_rotate` with the administrator as actor, beside the command on the
-- server. Only what made a version widens; the table stays append-only (migration 0158's triggers).

alter table offline_proof_key drop constraint offline_proof_key_created_by_check;
alter table offline_proof_key add constraint offline_proof_key_created_by_check
  check (created_by in ('migration', 'command_line', 'console'));

comment on column offline_proof_key.created_by is 'What made it: migration 0158 (version 1), the administrator''s command (amparo keys rotate-card-proof) or an administrator in the console (POST /api/distribution/card-proof-key/rotations); each rotation audited as distribution.proof_key_rotate.';
