-- Two administrators for every grant of access (issue #11, point 2).
--
-- One administrator used to be able to create a second administrator account, receive its
-- password and TOTP secret, and so hold two accounts: enough to approve their own erasure or
-- to read person data in any region. From here on:
--
-- * Roles and regions are added to an account only by an approved `operator_change`: asked by
--   one active administrator, approved by a different one (never the account itself). Until
--   then the account does not hold them. Removing roles or regions takes effect at once.
-- * A new account, and a reset, get no working credentials from an administrator: the person
--   sets their own password and TOTP secret with an enrolment code made of two halves, one
--   shown to the administrator who asked and one to the administrator who approved. Only the
--   keyed digests of the halves are stored.
-- * The database enforces the same: the state machine of `operator_change` below, and a guard
--   that refuses the application role any widening of an account's roles or regions without
--   a change approved in the same transaction. The one exception is the bootstrap of an
--   installation: inserting an account whose only role is administrator while fewer than two
--   active administrators exist (a two-person rule needs two people first; see DATABASE.md).

-- A new account holds nothing until its first grant is approved.
alter table operator drop constraint operator_roles_check;
alter table operator add constraint operator_roles_check check (
  roles <@ array['enrolment_clerk', 'registry_supervisor', 'program_officer', 'distribution_operator', 'auditor', 'statistics_analyst', 'administrator']
);
alter table operator drop constraint operator_regions_check;

create table operator_change (
  id uuid primary key,
  operator_id uuid not null references operator (id),
  add_roles text[] not null check (
    add_roles <@ array['enrolment_clerk', 'registry_supervisor', 'program_officer', 'distribution_operator', 'auditor', 'statistics_analyst', 'administrator']
  ),
  add_regions text[] not null,
  new_credentials boolean not null,
  requested_by uuid not null references operator (id),
  requested_at timestamptz not null,
  status text not null default 'pending' check (status in ('pending', 'approved', 'refused')),
  decided_by uuid references operator (id),
  decided_at timestamptz,
  decided_txid bigint,
  check (cardinality(add_roles) + cardinality(add_regions) > 0 or new_credentials),
  check (requested_by <> operator_id),
  check ((status = 'pending') = (decided_by is null and decided_at is null)),
  check (status <> 'approved' or (decided_by <> requested_by and decided_by <> operator_id))
);
-- One open change per account: a second one is refused (409) rather than queued.
create unique index operator_change_one_pending_idx on operator_change (operator_id) where status = 'pending';
create index operator_change_status_idx on operator_change (status, requested_at);

comment on table operator_change is 'Grants of access to a staff account (roles, regions, new credentials), asked by one administrator and approved or refused by another. Never deleted: who asked and who approved stays on record.';
comment on column operator_change.id is 'Database key (UUID).';
comment on column operator_change.operator_id is 'The account the change is for.';
comment on column operator_change.add_roles is 'Roles the account gains on approval (empty when none).';
comment on column operator_change.add_regions is 'Regions (ISO 3166-2:VE) the account gains on approval (empty when none).';
comment on column operator_change.new_credentials is 'True for a new account or a reset: on approval the old password and TOTP secret stop working and the person enrols with the two halves of an enrolment code.';
comment on column operator_change.requested_by is 'The administrator who asked; never the account itself.';
comment on column operator_change.requested_at is 'When it was asked.';
comment on column operator_change.status is 'pending, approved (applied at once) or refused (by another administrator, or withdrawn by the one who asked).';
comment on column operator_change.decided_by is 'The administrator who approved or refused; for an approval, never the one who asked nor the account itself.';
comment on column operator_change.decided_at is 'When it was approved or refused.';
comment on column operator_change.decided_txid is 'Transaction that decided it (set by the database): the roles and regions may only widen in that transaction.';

grant select, insert on operator_change to amparo_app;
grant update (status, decided_by, decided_at) on operator_change to amparo_app;

create table operator_enrolment (
  id uuid primary key,
  operator_id uuid not null references operator (id),
  change_id uuid references operator_change (id),
  first_code_digest bytea not null check (octet_length(first_code_digest) = 16),
  second_code_digest bytea check (octet_length(second_code_digest) = 16),
  created_at timestamptz not null,
  expires_at timestamptz,
  completed_at timestamptz,
  superseded_at timestamptz,
  check ((second_code_digest is null) = (expires_at is null))
);
create index operator_enrolment_operator_idx on operator_enrolment (operator_id, created_at);

comment on table operator_enrolment is 'One-time enrolment of a staff account: the person sets their own password and TOTP secret with both halves of a code. No administrator ever holds working credentials of another account.';
comment on column operator_enrolment.id is 'Database key (UUID).';
comment on column operator_enrolment.operator_id is 'The account to enrol.';
comment on column operator_enrolment.change_id is 'The approved change that opened it; null when the command line bootstrapped the account.';
comment on column operator_enrolment.first_code_digest is 'Keyed digest (HMAC under a key derived from the master key) of the half shown to the administrator who asked.';
comment on column operator_enrolment.second_code_digest is 'Keyed digest of the half shown to the administrator who approved; null until approval, and the enrolment cannot be used before.';
comment on column operator_enrolment.created_at is 'When the first half was made.';
comment on column operator_enrolment.expires_at is 'Until when the code may be used; set on approval.';
comment on column operator_enrolment.completed_at is 'When the person enrolled; the code is useless from then on.';
comment on column operator_enrolment.superseded_at is 'When a newer enrolment or a refusal made this one useless.';

grant select, insert on operator_enrolment to amparo_app;
grant update (second_code_digest, expires_at, completed_at, superseded_at) on operator_enrolment to amparo_app;

-- True for an active account holding the administrator role.
create function operator_is_active_administrator(operator uuid) returns boolean
  language sql stable
  set search_path = pg_catalog, public, pg_temp
as $$
  select exists (
    select 1 from operator o
     where o.id = operator and o.disabled_at is null and 'administrator' = any (o.roles)
  );
$$;
comment on function operator_is_active_administrator(uuid) is 'True when the account is active and holds the administrator role.';

-- The state machine of a change: inserted pending by an active administrator for someone
-- else; decided once, an approval only by another active administrator.
create function operator_change_guard() returns trigger
  language plpgsql
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  if tg_op = 'INSERT' then
    if new.status <> 'pending' or new.decided_by is not null or new.decided_txid is not null then
      raise exception 'an operator change is inserted pending' using errcode = '42501';
    end if;
    if not operator_is_active_administrator(new.requested_by) then
      raise exception 'only an active administrator may ask for an operator change' using errcode = '42501';
    end if;
    return new;
  end if;
  if old.status <> 'pending' then
    raise exception 'operator change % was already decided', old.id using errcode = '42501';
  end if;
  if (new.id, new.operator_id, new.add_roles, new.add_regions, new.new_credentials, new.requested_by, new.requested_at)
     is distinct from (old.id, old.operator_id, old.add_roles, old.add_regions, old.new_credentials, old.requested_by, old.requested_at) then
    raise exception 'an operator change cannot be rewritten' using errcode = '42501';
  end if;
  if new.status <> 'pending' and not operator_is_active_administrator(new.decided_by) then
    raise exception 'only an active administrator may decide an operator change' using errcode = '42501';
  end if;
  new.decided_txid := case when new.status = 'pending' then null else txid_current() end;
  return new;
end;
$$;
comment on function operator_change_guard() is 'Trigger: operator changes are inserted pending by an active administrator and decided once by an active administrator (approval by a different one, checked by the table).';

create trigger operator_change_guard before insert or update on operator_change
  for each row execute function operator_change_guard();

-- The application role may widen an account's roles or regions only in the transaction that
-- approved a change granting them, or to bootstrap the first two administrators.
create function operator_grant_guard() returns trigger
  language plpgsql
  set search_path = pg_catalog, public, pg_temp
as $$
declare
  added_roles text[];
  added_regions text[];
begin
  if current_user <> 'amparo_app' then
    return new;
  end if;
  if tg_op = 'INSERT' then
    added_roles := new.roles;
    added_regions := new.regions;
  else
    select coalesce(array_agg(r), '{}') into added_roles from unnest(new.roles) r where not r = any (old.roles);
    select coalesce(array_agg(r), '{}') into added_regions from unnest(new.regions) r where not r = any (old.regions);
  end if;
  if cardinality(added_roles) = 0 and cardinality(added_regions) = 0 then
    return new;
  end if;
  if exists (
    select 1 from operator_change c
     where c.operator_id = new.id and c.status = 'approved' and c.decided_txid = txid_current()
       and added_roles <@ c.add_roles and added_regions <@ c.add_regions
  ) then
    return new;
  end if;
  if tg_op = 'INSERT' and new.roles = array['administrator'] and new.disabled_at is null
     and (select count(*) from operator o
           where o.disabled_at is null and 'administrator' = any (o.roles)) < 2 then
    return new;
  end if;
  raise exception 'roles and regions are granted only by a change approved by a second administrator'
    using errcode = '42501';
end;
$$;
comment on function operator_grant_guard() is 'Trigger: the application role cannot widen an account''s roles or regions except in the transaction that approved a change granting them, or by inserting one of the first two administrators.';

create trigger operator_grant_guard before insert or update of roles, regions on operator
  for each row execute function operator_grant_guard();
