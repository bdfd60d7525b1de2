-- The database itself refuses an erasure that was not asked and approved by two different
-- administrators in two recorded steps (issue #11, point 3).
--
-- Before this, the application role could insert a request already marked executed with any
-- two operator ids, null a person's data key and call erase_person_records: the only check
-- compared two ids. An SQL injection or a stolen application password was enough to erase a
-- person. Now, whoever connects as the application role:
--
-- * inserts a request only as `pending`, asked by an active administrator of the person's
--   region;
-- * moves it only pending -> executed (approved by a different active administrator of the
--   region, in a later transaction than the request) or pending -> withdrawn (by an active
--   administrator of the region); nothing else of a request changes, and a decided request
--   never changes again;
-- * destroys a data key or marks a person erased only in the transaction that executed an
--   erasure of that person (or of the record it was merged into). Blind indexes are not
--   guarded: a correction that removes a phone blanks one too, and a blank index destroys
--   nothing (the sealed value stays, and reads stay audited);
-- * runs erase_person_records only in that same transaction.
--
-- What the database cannot know is which human is behind an operator id: an attacker holding
-- the application role can still name two real administrators. That is why every step is
-- also in the MAC-protected audit log, and `amparo audit verify` reports an executed erasure
-- without the request and approval entries of the operators it names (docs/ERASURE.md).

alter table erasure_request add column requested_txid bigint;
alter table erasure_request add column executed_txid bigint;
comment on column erasure_request.requested_txid is 'Transaction that inserted the request (set by the database); the approval must come from another.';
comment on column erasure_request.executed_txid is 'Transaction that executed it (set by the database): the only one allowed to destroy the person''s key and records.';

-- True when the operator is an active administrator whose regions include the region.
create function operator_administers(operator uuid, region text) returns boolean
  language sql stable
  set search_path = pg_catalog, public, pg_temp
as $$
  select exists (
    select 1 from operator o
     where o.id = operator and o.disabled_at is null
       and 'administrator' = any (o.roles) and region = any (o.regions)
  );
$$;
comment on function operator_administers(uuid, text) is 'True when the account is active, holds the administrator role and covers the region.';

create function erasure_request_guard() returns trigger
  language plpgsql
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  region text;
begin
  select p.region_code into region from person p where p.id = new.person_id;
  if tg_op = 'INSERT' then
    if new.status <> 'pending' or new.approved_by is not null or new.approved_at is not null
       or new.executed_at is not null or new.withdrawn_by is not null or new.withdrawn_at is not null
       or new.executed_txid is not null then
      raise exception 'an erasure request is inserted pending' using errcode = '42501';
    end if;
    if not operator_administers(new.requested_by, region) then
      raise exception 'only an active administrator of the region may request an erasure' using errcode = '42501';
    end if;
    new.requested_txid := txid_current();
    return new;
  end if;
  if old.status <> 'pending' then
    raise exception 'erasure request % was already decided', old.id using errcode = '42501';
  end if;
  if (new.id, new.person_id, new.requested_by, new.reason_code, new.reference, new.requested_at, new.requested_txid)
     is distinct from (old.id, old.person_id, old.requested_by, old.reason_code, old.reference, old.requested_at, old.requested_txid) then
    raise exception 'an erasure request cannot be rewritten' using errcode = '42501';
  end if;
  if new.status = 'executed' then
    if new.approved_by = new.requested_by or not operator_administers(new.approved_by, region) then
      raise exception 'an erasure is approved only by a different active administrator of the region' using errcode = '42501';
    end if;
    if old.requested_txid is not null and old.requested_txid = txid_current() then
      raise exception 'an erasure is requested and approved in two separate steps' using errcode = '42501';
    end if;
    new.executed_txid := txid_current();
  elsif new.status = 'withdrawn' then
    if not operator_administers(new.withdrawn_by, region) then
      raise exception 'only an active administrator of the region may withdraw an erasure request' using errcode = '42501';
    end if;
  end if;
  return new;
end;
$$;
comment on function erasure_request_guard() is 'Trigger: the state machine of an erasure request (inserted pending by an administrator of the region; executed by a different one in a later transaction, or withdrawn; then final).';

create trigger erasure_request_guard before insert or update on erasure_request
  for each row execute function erasure_request_guard();

-- True when this transaction executed an erasure of the person or of a record it was merged
-- into (at any depth).
create function erasure_executing(person uuid) returns boolean
  language sql stable
  set search_path = pg_catalog, public, pg_temp
as $$
  with recursive line(id) as (
    select person
    union
    select p.merged_into from person p join line l on p.id = l.id where p.merged_into is not null
  )
  select exists (
    select 1 from erasure_request r join line l on r.person_id = l.id
     where r.status = 'executed' and r.executed_txid = txid_current()
  );
$$;
comment on function erasure_executing(uuid) is 'True when the current transaction executed an approved erasure of the person or of the record it was merged into.';

create function erasure_key_guard() returns trigger
  language plpgsql
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  if old.wrapped_key is not null and new.wrapped_key is null and not erasure_executing(old.person_id) then
    raise exception 'only the transaction that executes an approved erasure may destroy a data key' using errcode = '42501';
  end if;
  return new;
end;
$$;
comment on function erasure_key_guard() is 'Trigger: a data key is destroyed only by the transaction that executed an approved erasure of its person.';

create function erasure_person_guard() returns trigger
  language plpgsql
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  if old.status <> 'erased' and new.status = 'erased' and not erasure_executing(old.id) then
    raise exception 'only the transaction that executes an approved erasure may mark a person erased' using errcode = '42501';
  end if;
  return new;
end;
$$;
comment on function erasure_person_guard() is 'Trigger: a person becomes erased only in the transaction that executed an approved erasure of them.';

create trigger erasure_key_guard before update of wrapped_key on person_key
  for each row execute function erasure_key_guard();
create trigger erasure_person_guard before update of status on person
  for each row execute function erasure_person_guard();

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
  return versions;
end;
$$;
comment on function erase_person_records(uuid) is
  'Removes the clear attributes of every version, the name search keys and the queued SMS recipients of the person of an erasure request executed in the current transaction and of every record merged into it. Returns the number of versions emptied. The only way the application role can change history rows.';
