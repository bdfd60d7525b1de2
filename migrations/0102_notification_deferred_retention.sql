-- Retention of kept notices (issue #15 leftovers, session 12). A notice kept with
-- `notifyLater` (migration 0095) is needed only until the outbox worker resolves it: then its
-- message, if any, is in notification_outbox under the same id, or none was queued (no phone,
-- not active, erased). Its row still named the person and held the notice's values for ever,
-- and the application role cannot delete it (a personal table: no DELETE, safeguard 5).
--
-- As for staged audit entries (audit_pending_moved, migration 0077), a security-definer
-- function is the application role's only way to remove a row, and it removes only what is no
-- longer needed: rows already marked resolved. The worker calls it in the transaction that
-- resolves them, so a resolved row never outlives its commit; a notice still waiting cannot be
-- dropped through it. An erasure removes the person's rows, waiting or not, in
-- erase_person_records (below): a notice waiting for an erased person would never be sent.

-- Rows resolved before this migration go now (the migration runs as the owner).
delete from notification_deferred where resolved_at is not null;

create function notification_deferred_forget(ids uuid[]) returns integer
  language plpgsql
  security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  removed integer;
begin
  delete from notification_deferred where id = any (ids) and resolved_at is not null;
  get diagnostics removed = row_count;
  return removed;
end;
$$;

comment on function notification_deferred_forget(uuid[]) is
  'Deletes the given kept notices that a worker has resolved (resolved_at set); a notice still waiting is left. Returns how many went. The application role''s only way to remove a kept notice.';

revoke all on function notification_deferred_forget(uuid[]) from public;
grant execute on function notification_deferred_forget(uuid[]) to amparo_app;

comment on column notification_deferred.resolved_at is 'When a worker resolved it: a message was queued under the same id, or none (no phone, not active, erased). The same transaction removes the row (notification_deferred_forget, migration 0102): a row is seen resolved only inside it.';

create or replace function erase_person_records(request_id uuid) returns integer
  language plpgsql
  security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  root uuid;
  family uuid[];
  versions integer;
begin
  select person_id into root from erasure_request
    where id = request_id and status = 'executed' and approved_by <> requested_by
      and executed_txid = txid_current();
  if root is null then
    raise exception 'erasure request % was not executed in this transaction', request_id using errcode = '42501';
  end if;
  if (select status from person where id = root) <> 'erased' then
    raise exception 'person of erasure request % is not erased', request_id using errcode = '42501';
  end if;
  with recursive records(id) as (
    select root
    union
    select p.id from person p join records r on p.merged_into = r.id
  )
  select array_agg(id) into family from records;
  update person_version set attributes = '{}'::jsonb
    where person_id = any (family) and attributes <> '{}'::jsonb;
  get diagnostics versions = row_count;
  update person_search set name_keys = '{}', name_tokens = '{}', updated_at = now()
    where person_id = any (family);
  update notification_outbox set recipient_sealed = null, cancelled_at = now()
    where person_id = any (family) and sent_at is null and cancelled_at is null;
  update notification_outbox set recipient_sealed = null
    where person_id = any (family) and sent_at is not null;
  delete from notification_deferred where person_id = any (family);
  return versions;
end;
$$;
comment on function erase_person_records(uuid) is
  'Removes the clear attributes of every version, the name search keys, the queued SMS recipients and the kept notices (notification_deferred) of the person of an erasure request executed in the current transaction and of every record merged into it. Returns the number of versions emptied. The only way the application role can change history rows.';
