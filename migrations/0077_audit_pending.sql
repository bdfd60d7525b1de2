-- Audit entries staged in the writer's transaction and moved into the Merkle log by group
-- commit (issue #15, redemption throughput; src/modules/audit/README.md, "Staged entries").
--
-- A hot path (a card redemption, a single transfer) used to take the audit appender's lock in
-- its own transaction and hold it through its commit, so such requests committed one at a
-- time. Now it inserts its entry here instead, in its transaction (no global lock: the row
-- commits or rolls back with the redemption), and after the commit the group-commit queue
-- moves the entries of many requests into audit_entry under one lock and one commit. The
-- request answers only once its entry is in the log; a process that dies in between leaves
-- the row here, and the next sweep (any server's audit timer) moves it.
--
-- Tamper evidence while a row waits here: each row carries an HMAC (key outside the database)
-- over its id and entry text, checked before it is moved and by `amparo audit verify`. The
-- application role may INSERT and SELECT only, like audit_entry; it removes a row through
-- audit_pending_moved() alone, which removes only rows whose very text is in the log already.
create table audit_pending (
  id uuid primary key,
  entry text not null,
  entry_mac bytea not null check (octet_length(entry_mac) = 32),
  staged_at timestamptz not null default now()
);
create index audit_pending_staged_idx on audit_pending (staged_at);

comment on table audit_pending is
  'Audit entries committed with the transaction that wrote them and not yet moved into audit_entry (the Merkle log); moved within milliseconds by group commit, or by the next sweep after a crash. Insert and select only for the application role.';
comment on column audit_pending.id is 'Random id given by the writer; the HMAC covers it.';
comment on column audit_pending.entry is
  'The entry as canonical JSON, exactly the text that becomes the audit_entry row.';
comment on column audit_pending.entry_mac is
  'HMAC-SHA-256 of (id as 16 bytes || entry bytes) under a key derived from the master key ("amparo audit pending entry mac"): a row forged in the database is refused by the mover and reported by verify.';
comment on column audit_pending.staged_at is
  'When the writing transaction began; rows older than a few seconds are moved by the sweep.';

-- Removes staged rows once they are in the log: each id with the leaf index it was given, and
-- only when that leaf holds the same text. Security definer: the application role has no
-- DELETE on audit_pending, so it cannot drop an entry that never reached the log.
create function audit_pending_moved(ids uuid[], leaves bigint[]) returns integer
  language plpgsql
  security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  removed integer;
begin
  delete from audit_pending p
   using unnest(ids, leaves) as m(id, leaf), audit_entry e
   where p.id = m.id and e.leaf_index = m.leaf and e.entry = p.entry;
  get diagnostics removed = row_count;
  return removed;
end;
$$;

comment on function audit_pending_moved(uuid[], bigint[]) is
  'Deletes the staged audit entries given (id, leaf index) whose leaf in audit_entry holds the same text; returns how many. The application role''s only way to remove a staged entry.';

-- The appender's lock, the next leaf index and which of the given staged ids are still staged,
-- in one call for group commit's move (as audit_append_lock, migration 0057: PL/pgSQL, so the
-- reads take their snapshot after the lock and see what the previous holder committed).
create function audit_append_lock_staged(ids uuid[]) returns table (next bigint, present text[])
  language plpgsql volatile
as $$
begin
  perform pg_advisory_xact_lock(7020167290640967284);
  return query
    select coalesce((select max(leaf_index) from audit_entry), -1) + 1,
           array(select p.id::text from audit_pending p where p.id = any (ids));
end;
$$;

comment on function audit_append_lock_staged(uuid[]) is
  'Takes the audit appender lock for the rest of the transaction and returns the next leaf index and those of the given staged ids still in audit_pending: one round trip where two were.';

revoke all on function audit_append_lock_staged(uuid[]) from public;
grant execute on function audit_append_lock_staged(uuid[]) to amparo_app;
revoke all on function audit_pending_moved(uuid[], bigint[]) from public;
grant execute on function audit_pending_moved(uuid[], bigint[]) to amparo_app;
grant select, insert on audit_pending to amparo_app;
