-- Tamper-evident audit log (DESIGN.md safeguards 3 and 4).
--
-- Every read and write of person-level data becomes one row of audit_entry, a leaf of an
-- RFC 6962 Merkle tree. The application appends and reads; it can never change or remove a
-- row. Signed tree heads (Ed25519, key outside the database) fix the log's contents at a size;
-- `amparo audit verify` recomputes everything from the entry text, so an edit, a deletion or a
-- forged row made with database superuser rights is detected.

-- Parses the exact timestamp form the appender writes (YYYY-MM-DDTHH:MM:SS.mmmZ) using only
-- immutable operations, because a generated column may only call immutable functions and the
-- text-to-timestamptz cast is merely stable (it accepts 'now' and reads TimeZone). Any other
-- form yields null rather than a guess. PL/pgSQL rather than SQL: a SQL function that cannot be
-- inlined (its argument is used several times) costs about half again as much per row.
create function audit_entry_time(iso text) returns timestamptz
language plpgsql immutable strict parallel safe as $$
begin
  if iso !~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$' then
    return null;
  end if;
  return to_timestamp(
    (make_date(substr(iso, 1, 4)::int, substr(iso, 6, 2)::int, substr(iso, 9, 2)::int) - date '1970-01-01')::double precision * 86400
    + substr(iso, 12, 2)::int * 3600 + substr(iso, 15, 2)::int * 60 + substr(iso, 18, 2)::int
    + substr(iso, 21, 3)::int / 1000.0
  );
end
$$;

comment on function audit_entry_time(text) is
  'Timestamp of an audit entry''s "time" field (ISO-8601, milliseconds, UTC); null for any other form. Immutable so that audit_entry.recorded_at can be a generated column.';

create table audit_entry (
  leaf_index bigint primary key check (leaf_index >= 0),
  entry text not null,
  leaf_hash bytea not null check (octet_length(leaf_hash) = 32),
  entry_mac bytea not null check (octet_length(entry_mac) = 32),
  -- json, not jsonb: these columns only pick a few keys, and json's parser is about twice as
  -- fast on the insert path, where every column re-parses the entry.
  person_id uuid generated always as (
    case when (entry::json -> 'resource' ->> 'type') = 'person' then substring(
      entry::json -> 'resource' ->> 'id'
      from '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
    )::uuid end
  ) stored,
  actor_id text generated always as (entry::json -> 'actor' ->> 'id') stored,
  action text generated always as (entry::json ->> 'action') stored,
  recorded_at timestamptz generated always as (audit_entry_time(entry::json ->> 'time')) stored
);
create index audit_entry_person_idx on audit_entry (person_id, leaf_index) where person_id is not null;
create index audit_entry_actor_idx on audit_entry (actor_id, leaf_index);

comment on table audit_entry is
  'Append-only Merkle audit log: one row per read or write of person-level data (or refused attempt). Leaf indexes are dense from 0; the application may only SELECT and INSERT.';
comment on column audit_entry.leaf_index is
  'Position of the entry in the log (0-based, no gaps): its leaf index in the Merkle tree.';
comment on column audit_entry.entry is
  'The entry as canonical JSON (keys sorted, no whitespace, with "time" and schema version "v"). These exact UTF-8 bytes are hashed and authenticated.';
comment on column audit_entry.leaf_hash is
  'RFC 6962 leaf hash SHA-256(0x00 || entry bytes). Kept to build proofs without re-hashing; the verifier recomputes it rather than trusting it.';
comment on column audit_entry.entry_mac is
  'HMAC-SHA-256 of (leaf index as u64 big-endian || entry bytes) under a key derived from the master key, which lives outside the database: a row inserted or rewritten without that key is detected.';
comment on column audit_entry.person_id is
  'The person the entry is about (resource.type = person), derived from the entry text; for "who looked at my record".';
comment on column audit_entry.actor_id is
  'Operator id, person id (citizen) or job name of the actor, derived from the entry text.';
comment on column audit_entry.action is
  'Dotted verb of the entry (person.read, audit.tree_head.sign…), derived from the entry text.';
comment on column audit_entry.recorded_at is
  'When the event happened (the entry''s "time"), derived from the entry text.';

create table audit_tree_head (
  tree_size bigint primary key check (tree_size >= 0),
  root_hash bytea not null check (octet_length(root_hash) = 32),
  signed_at timestamptz not null,
  key_id text not null,
  signature bytea not null check (octet_length(signature) = 64),
  frontier bytea not null check (octet_length(frontier) % 32 = 0)
);

comment on table audit_tree_head is
  'Signed tree heads of the audit log: size and Merkle root at a moment, signed with the Ed25519 audit key held outside the database. Published so that history cannot be rewritten unseen.';
comment on column audit_tree_head.tree_size is 'Number of entries covered: leaf indexes 0 .. tree_size - 1.';
comment on column audit_tree_head.root_hash is 'RFC 6962 Merkle Tree Hash of the first tree_size entries.';
comment on column audit_tree_head.signed_at is 'When the head was signed; its milliseconds since the epoch are part of the signed bytes.';
comment on column audit_tree_head.key_id is 'Id of the audit signing key (first 8 bytes of SHA-256 of the raw public key, hex).';
comment on column audit_tree_head.signature is 'Ed25519 signature over the canonical tree-head bytes (amparo/audit-tree-head/v1).';
comment on column audit_tree_head.frontier is
  'Roots of the perfect subtrees of the tree at this size, left-most first, 32 bytes each: lets the appender resume without re-reading the log. Trusted only after they fold to the signed root.';

grant select, insert on audit_entry, audit_tree_head to amparo_app;
