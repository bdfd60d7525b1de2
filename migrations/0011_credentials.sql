-- Credentials (Amparo issue 5): issued cards, the revocation list they are checked against,
-- the published trust-list versions, and card issuance batches.
--
-- No QR text and no personal attribute is stored here: a card is re-rendered by signing the
-- stored person version again with the stored key and times (Ed25519 is deterministic), so
-- crypto-shredding a person also makes their card impossible to reprint. The credential id is
-- the first 16 bytes of SHA-256 of the signed payload; it identifies a card to whoever holds it.

create table card_batch (
  id uuid primary key,
  selection_kind text not null check (selection_kind in ('region', 'household', 'uins')),
  selection text not null check (length(selection) between 1 and 80),
  status text not null default 'running' check (status in ('running', 'finished')),
  persons_total integer check (persons_total >= 0),
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  check ((status = 'finished') = (finished_at is not null))
);
create index card_batch_selection_idx on card_batch (selection_kind, selection, started_at);

comment on table card_batch is 'One run of amparo cards issue over a selection; a re-run of the same selection resumes it. Identifiers only.';
comment on column card_batch.id is 'Batch id; the audit actor of its issuances is cards-batch:<id>.';
comment on column card_batch.selection_kind is 'region, household, or uins (a file of ID numbers).';
comment on column card_batch.selection is 'The region code, the household id, or the SHA-256 (hex) of the UIN file.';
comment on column card_batch.status is 'running (or interrupted: resumable) or finished.';
comment on column card_batch.persons_total is 'Active persons in the selection when the batch last started.';
comment on column card_batch.started_at is 'When the batch was created.';
comment on column card_batch.finished_at is 'When every person of the selection held a card of this batch.';

create table credential (
  id bytea primary key check (octet_length(id) = 16),
  person_id uuid not null references person (id),
  person_version integer not null check (person_version >= 1),
  kid text not null check (kid ~ '^[0-9a-f]{16}$'),
  issued_at timestamptz not null,
  expires_at timestamptz not null,
  status text not null default 'active' check (status in ('active', 'revoked')),
  revoked_at timestamptz,
  revocation_reason text check (revocation_reason in ('lost', 'stolen', 'reissued', 'deceased')),
  revocation_version bigint check (revocation_version >= 1),
  revoked_by uuid,
  issued_by uuid,
  batch_id uuid references card_batch (id),
  check (expires_at > issued_at),
  check ((status = 'revoked') = (revoked_at is not null and revocation_reason is not null and revocation_version is not null)),
  foreign key (person_id, person_version) references person_version (person_id, version)
);
-- At most one active card per person: a reissue revokes the previous one in its transaction.
create unique index credential_one_active_idx on credential (person_id) where status = 'active';
create index credential_person_idx on credential (person_id, issued_at);
create index credential_batch_idx on credential (batch_id) where batch_id is not null;

comment on table credential is 'Every card issued: which person version was signed, with which key, until when, and whether it was revoked. Never deleted.';
comment on column credential.id is 'Credential id: first 16 bytes of SHA-256 of the signed CWT payload (derived from the card, not carried in it).';
comment on column credential.person_id is 'The holder.';
comment on column credential.person_version is 'The person version whose name, date of birth, sex and photo the card carries; re-rendering signs it again.';
comment on column credential.kid is 'Key id (hex, 8 bytes) of the issuer key that signed the card.';
comment on column credential.issued_at is 'Issuance time (whole seconds); the expiry is counted from it.';
comment on column credential.expires_at is 'The card''s exp claim (whole seconds).';
comment on column credential.status is 'active, or revoked (never back).';
comment on column credential.revoked_at is 'When it was revoked.';
comment on column credential.revocation_reason is 'lost, stolen, reissued (a newer card replaced it) or deceased (the holder died, was merged or erased).';
comment on column credential.revocation_version is 'The revocation list version that lists it.';
comment on column credential.revoked_by is 'Operator who revoked it; null when revoked by a reissue''s system step or by a job.';
comment on column credential.issued_by is 'Operator who issued it; null for a batch (see batch_id).';
comment on column credential.batch_id is 'The issuance batch (amparo cards issue) that issued it, if any.';

create table revocation_list_entry (
  hash bytea primary key check (octet_length(hash) = 16),
  version bigint not null check (version >= 1),
  reason text not null check (reason in ('lost', 'stolen', 'reissued', 'deceased')),
  added_at timestamptz not null default now()
);
create index revocation_list_entry_version_idx on revocation_list_entry (version);

comment on table revocation_list_entry is 'The published revocation list, one row per revoked card, append-only. The full list is every row; a delta since version N is the rows with version > N.';
comment on column revocation_list_entry.hash is 'First 16 bytes of SHA-256 of the 16-byte credential id: a verifier holding the card computes it; the list alone reveals no id.';
comment on column revocation_list_entry.version is 'The list version that added the entry; each revoking transaction adds one version.';
comment on column revocation_list_entry.reason is 'lost, stolen, reissued or deceased.';
comment on column revocation_list_entry.added_at is 'When the entry was added.';

create table trust_list_version (
  version integer primary key check (version >= 1),
  issued_at timestamptz not null,
  current_kid text not null check (current_kid ~ '^[0-9a-f]{16}$'),
  keys jsonb not null check (jsonb_typeof(keys) = 'array')
);

comment on table trust_list_version is 'Each published trust list: the issuer keys and their issuing periods. A new version is recorded when the key store''s issuer keys or current key change. Public keys only.';
comment on column trust_list_version.version is 'Trust list version; increases with every change.';
comment on column trust_list_version.issued_at is 'When this version was recorded.';
comment on column trust_list_version.current_kid is 'The key that issues new cards in this version.';
comment on column trust_list_version.keys is 'The trust list keys: kid, alg, base64url public key, notBefore, notAfter (seconds).';

grant select, insert on card_batch, credential, revocation_list_entry, trust_list_version to amparo_app;
grant update (status, persons_total, finished_at) on card_batch to amparo_app;
grant update (status, revoked_at, revocation_reason, revocation_version, revoked_by) on credential to amparo_app;
