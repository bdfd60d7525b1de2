-- Versions of the key that offline receipts v5 seal their card proof to (issue #15, review F3
-- point 2), so that key can be rotated without rotating the master key. The private key of a
-- version is stored nowhere: it is derived from the master key with the version in the HKDF info
-- (`amparo offline card proof sealing v<version>`); this table only says which versions exist and
-- which is in force (the highest). `amparo keys rotate-card-proof` appends the next one (audited);
-- snapshots publish the version in force and record it, and the sync opens a version while it is
-- the current one or a snapshot that published it expired less than a window ago
-- (src/modules/distribution/offline/proof-key-versions.ts). Version 1 is the key every snapshot
-- published before this migration.

create table offline_proof_key (
  version integer primary key check (version >= 1),
  created_at timestamptz not null,
  created_by text not null check (created_by in ('migration', 'command_line'))
);

comment on table offline_proof_key is 'Versions of the offline card-proof sealing key (derived from the master key, never stored); the highest is in force; append-only.';
comment on column offline_proof_key.version is 'The version, in the key''s HKDF info; each rotation adds the next.';
comment on column offline_proof_key.created_at is 'When the version was made; snapshots built after publish it.';
comment on column offline_proof_key.created_by is 'What made it: this migration (version 1) or the administrator''s command (amparo keys rotate-card-proof, audited).';

insert into offline_proof_key (version, created_at, created_by) values (1, now(), 'migration');

create trigger offline_proof_key_immutable before update or delete on offline_proof_key
  for each row execute function distribution_history_immutable();
create trigger offline_proof_key_no_truncate before truncate on offline_proof_key
  for each statement execute function distribution_history_immutable();

grant select, insert on offline_proof_key to amparo_app;

alter table distribution_snapshot
  add column proof_key_version integer not null default 1 references offline_proof_key (version);
comment on column distribution_snapshot.proof_key_version is 'The card-proof key version its payload published (proofKeyVersion); 1 for snapshots built before migration 0158.';
-- The sync asks, per version, when its last snapshot expires: one index probe each.
create index distribution_snapshot_proof_key_idx on distribution_snapshot (proof_key_version, expires_at);
