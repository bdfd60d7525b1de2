-- Lawful erasure removes what describes the person, not only what is sealed (docs/ERASURE.md).
--
-- Crypto-shredding destroys the person's data key, which makes the sealed attributes noise. The
-- attributes kept in clear for search and duplicate detection (names, sex, date of birth,
-- place codes…) and the name search keys are removed too, by the function below, in the
-- erasure's transaction. The application role still may not UPDATE history rows: the function
-- is its only way to change them, and it acts only on the records of an executed erasure
-- request (two different administrators, checked by erasure_request's own constraint).

alter table notification_outbox add column person_id uuid references person (id);
alter table notification_outbox add column cancelled_at timestamptz;
alter table notification_outbox alter column recipient_sealed drop not null;
alter table notification_outbox add constraint notification_outbox_cancel_check
  check (cancelled_at is null or (sent_at is null and recipient_sealed is null));
create index notification_outbox_person_idx on notification_outbox (person_id) where person_id is not null;

comment on column notification_outbox.person_id is 'The person the message is for, so that erasure can cancel it; null for rows queued before migration 0012.';
comment on column notification_outbox.cancelled_at is 'When the message was cancelled unsent (the person was erased); its recipient is then blank.';

create function erase_person_records(request_id uuid) returns integer
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
    where id = request_id and status = 'executed' and approved_by <> requested_by;
  if root is null then
    raise exception 'erasure request % is not executed', request_id using errcode = '42501';
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
  return versions;
end;
$$;

comment on function erase_person_records(uuid) is
  'Removes the clear attributes of every version, the name search keys and the queued SMS recipients of the person of an executed erasure request and of every record merged into it. Returns the number of versions emptied. The only way the application role can change history rows.';

revoke all on function erase_person_records(uuid) from public;
grant execute on function erase_person_records(uuid) to amparo_app;
