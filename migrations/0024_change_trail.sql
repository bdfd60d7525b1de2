-- A trail, written by the database, of every change to who may see what (issue #11, point 3).
--
-- The application role may update an account's roles, regions and disabled state and a
-- person's region: it needs to. An SQL injection or a stolen application password could do the
-- same without going through the application, and so without an audit entry. These triggers
-- record every such change in `change_trail`, which the application role can read but never
-- write, change or delete. `amparo audit verify` then pairs each trail row with the
-- MAC-protected audit entry of the request that made it (same request id, same record, the
-- column named in its fields); a row without one was made outside the application and is
-- reported (src/modules/audit/change-trail-check.ts).
--
-- The request id comes from the transaction-local setting `amparo.request_id`, which the audit
-- writer sets when it appends entries inside a transaction. The triggers are deferred to the
-- end of the transaction, so the entry may be appended after the change.

create table change_trail (
  id bigint generated always as identity primary key,
  recorded_at timestamptz not null default clock_timestamp(),
  table_name text not null check (table_name in ('operator', 'person')),
  record_id uuid not null,
  column_name text not null check (column_name in ('roles', 'regions', 'disabled_at', 'region_code')),
  request_id text,
  session_role text not null,
  txid bigint not null
);
create index change_trail_request_idx on change_trail (request_id);

comment on table change_trail is 'Every change of an account''s roles, regions or disabled state and of a person''s region, written by database triggers; the application role may only read it. Checked against the audit log by amparo audit verify.';
comment on column change_trail.id is 'Order of recording.';
comment on column change_trail.recorded_at is 'When the change was committed (database clock).';
comment on column change_trail.table_name is 'operator or person.';
comment on column change_trail.record_id is 'The account or person changed.';
comment on column change_trail.column_name is 'What changed: roles, regions, disabled_at (operator) or region_code (person). Values are not copied: the audit log and the rows themselves tell them.';
comment on column change_trail.request_id is 'The amparo.request_id of the transaction (set when the application audits inside it); null when nobody set it.';
comment on column change_trail.session_role is 'The database login role that made the change (session_user).';
comment on column change_trail.txid is 'The transaction that made the change.';

grant select on change_trail to amparo_app;

create function change_trail_record() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  request text := nullif(current_setting('amparo.request_id', true), '');
  changed text[] := '{}';
begin
  if tg_table_name = 'operator' then
    if tg_op = 'INSERT' then
      if cardinality(new.roles) > 0 then changed := changed || 'roles'::text; end if;
      if cardinality(new.regions) > 0 then changed := changed || 'regions'::text; end if;
      if new.disabled_at is not null then changed := changed || 'disabled_at'::text; end if;
    else
      if new.roles is distinct from old.roles then changed := changed || 'roles'::text; end if;
      if new.regions is distinct from old.regions then changed := changed || 'regions'::text; end if;
      if new.disabled_at is distinct from old.disabled_at then changed := changed || 'disabled_at'::text; end if;
    end if;
  elsif new.region_code is distinct from old.region_code then
    changed := array['region_code'];
  end if;
  insert into change_trail (table_name, record_id, column_name, request_id, session_role, txid)
    select tg_table_name, new.id, c, request, session_user, txid_current() from unnest(changed) c;
  return null;
end;
$$;
comment on function change_trail_record() is 'Trigger (deferred to commit): writes one change_trail row per changed column of operator (roles, regions, disabled_at) or person (region_code).';
revoke all on function change_trail_record() from public;

create constraint trigger operator_change_trail after insert or update on operator
  deferrable initially deferred
  for each row execute function change_trail_record();
create constraint trigger person_region_trail after update on person
  deferrable initially deferred
  for each row execute function change_trail_record();
