-- Benefit programs (issue #13, point 1): a program is a published rule that is the same for
-- everyone. Its content (names, benefit, rule, regions, cadence, budget) lives in versions;
-- every change is a new version, and no version is ever edited or removed, whoever connects:
-- a trigger refuses UPDATE, DELETE and TRUNCATE even to the superuser, so an entitlement or a
-- denial can always be traced to the exact text of the rule that decided it.

create function program_regions_valid(regions text[]) returns boolean
  language sql immutable
  set search_path = pg_catalog, public, pg_temp
as $$
  select coalesce(bool_and(r ~ '^VE-[A-Z]$'), true) from unnest(regions) as r;
$$;
comment on function program_regions_valid(text[]) is 'True when every element is an ISO 3166-2:VE state code (an empty list means national).';

create table program (
  id uuid primary key,
  code text not null unique check (code ~ '^[a-z][a-z0-9_]{2,39}$'),
  status text not null default 'draft' check (status in ('draft', 'published', 'suspended', 'closed')),
  published_version integer check (published_version is null or published_version >= 1),
  created_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (status <> 'draft' or published_version is null),
  check (status not in ('published', 'suspended') or published_version is not null)
);

comment on table program is 'A benefit program: its stable identity and where it stands. What it gives and to whom is in program_version.';
comment on column program.id is 'Database key (UUID).';
comment on column program.code is 'Short stable name used in URLs and files, e.g. food_box; lower case, digits and underscores.';
comment on column program.status is 'draft (never published), published (the published version applies), suspended (no new cycles), closed (ended for good).';
comment on column program.published_version is 'The version in force; null while the program is a draft.';
comment on column program.created_by is 'Operator who created the program.';
comment on column program.created_at is 'When the program was created.';
comment on column program.updated_at is 'When status or published version last changed.';

create table program_version (
  program_id uuid not null references program (id),
  version integer not null check (version >= 1),
  name_es text not null check (length(name_es) between 1 and 120),
  name_en text not null check (length(name_en) between 1 and 120),
  description_es text not null check (length(description_es) <= 2000),
  description_en text not null check (length(description_en) <= 2000),
  kind text not null check (kind in ('in_kind', 'cash', 'voucher', 'service')),
  unit text not null check (unit in ('person', 'household')),
  regions text[] not null check (program_regions_valid(regions) and cardinality(regions) <= 30),
  cadence text not null check (cadence in ('monthly', 'quarterly', 'once', 'on_demand')),
  benefit_basket jsonb check (benefit_basket is null or jsonb_typeof(benefit_basket) = 'array'),
  benefit_amount_minor bigint check (benefit_amount_minor is null or benefit_amount_minor > 0),
  benefit_formula text check (benefit_formula is null or length(benefit_formula) between 1 and 4000),
  currency text check (currency is null or currency in ('VES', 'USD')),
  budget_cap bigint not null check (budget_cap > 0),
  eligibility_rule text not null check (length(eligibility_rule) between 1 and 4000),
  created_by uuid,
  created_at timestamptz not null default now(),
  primary key (program_id, version),
  -- Money is given for cash and vouchers only, as a fixed amount or a formula, never both.
  check ((kind in ('cash', 'voucher')) = (currency is not null)),
  check ((kind in ('cash', 'voucher')) = ((benefit_amount_minor is null) <> (benefit_formula is null))),
  check ((kind in ('in_kind', 'service')) = (benefit_basket is not null))
);

comment on table program_version is 'Append-only content of a program: every change of rule or benefit is a new version; none is ever edited or removed (a trigger refuses it).';
comment on column program_version.program_id is 'The program.';
comment on column program_version.version is 'Version number, 1 for the first draft, increasing by one.';
comment on column program_version.name_es is 'Name in Spanish, as shown to the public.';
comment on column program_version.name_en is 'Name in English, as shown to the public.';
comment on column program_version.description_es is 'What the program gives and why, in Spanish.';
comment on column program_version.description_en is 'What the program gives and why, in English.';
comment on column program_version.kind is 'in_kind (a basket of goods), cash, voucher or service.';
comment on column program_version.unit is 'Who receives it: each eligible person, or each household (through its head).';
comment on column program_version.regions is 'ISO 3166-2:VE states where it applies; empty means national.';
comment on column program_version.cadence is 'How often a cycle runs: monthly, quarterly, once or on_demand.';
comment on column program_version.benefit_basket is 'For in_kind and service: the items given, [{item, quantity, unit}] with whole-number quantities.';
comment on column program_version.benefit_amount_minor is 'For cash and voucher: fixed amount per beneficiary in minor units of currency (céntimos, cents).';
comment on column program_version.benefit_formula is 'For cash and voucher: CEL formula over the eligibility variables yielding the amount in minor units, instead of a fixed amount.';
comment on column program_version.currency is 'ISO 4217 currency of the amount: VES or USD; null for in_kind and service.';
comment on column program_version.budget_cap is 'Most a cycle may give: minor units of currency for cash and voucher, number of benefits for in_kind and service.';
comment on column program_version.eligibility_rule is 'The eligibility rule in CEL over declared attributes and derived facts; type-checked when saved.';
comment on column program_version.created_by is 'Operator who wrote this version.';
comment on column program_version.created_at is 'When this version was saved.';

create table program_status_change (
  id uuid primary key,
  program_id uuid not null references program (id),
  version integer not null check (version >= 1),
  status_from text not null check (status_from in ('draft', 'published', 'suspended', 'closed')),
  status_to text not null check (status_to in ('published', 'suspended', 'closed')),
  changed_by uuid,
  changed_at timestamptz not null default now(),
  foreign key (program_id, version) references program_version (program_id, version)
);
create index program_status_change_program_idx on program_status_change (program_id, changed_at);

comment on table program_status_change is 'Append-only history of publications, suspensions and closures of programs.';
comment on column program_status_change.id is 'Database key (UUID).';
comment on column program_status_change.program_id is 'The program.';
comment on column program_status_change.version is 'The version in force after the change (the one published, suspended or closed).';
comment on column program_status_change.status_from is 'Status before the change.';
comment on column program_status_change.status_to is 'Status after the change.';
comment on column program_status_change.changed_by is 'Operator who made the change.';
comment on column program_status_change.changed_at is 'When the change was made.';

-- History is never rewritten, not even by the superuser: refuse UPDATE, DELETE and TRUNCATE.
create function program_history_immutable() returns trigger
  language plpgsql
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = '42501';
end;
$$;
comment on function program_history_immutable() is 'Refuses any change to an append-only program table.';

create trigger program_version_immutable before update or delete on program_version
  for each row execute function program_history_immutable();
create trigger program_version_no_truncate before truncate on program_version
  for each statement execute function program_history_immutable();
create trigger program_status_change_immutable before update or delete on program_status_change
  for each row execute function program_history_immutable();
create trigger program_status_change_no_truncate before truncate on program_status_change
  for each statement execute function program_history_immutable();

-- A program moves only along draft -> published <-> suspended -> closed; a newer version may
-- replace the published one; nothing comes back from closed; identity never changes.
create function program_transition_guard() returns trigger
  language plpgsql
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  if new.id <> old.id or new.code <> old.code or new.created_at <> old.created_at
     or new.created_by is distinct from old.created_by then
    raise exception 'a program''s identity never changes' using errcode = '42501';
  end if;
  if old.status = 'closed' then
    raise exception 'a closed program never changes' using errcode = '42501';
  end if;
  if new.status = 'draft' and old.status <> 'draft' then
    raise exception 'a published program cannot return to draft' using errcode = '42501';
  end if;
  if new.published_version is distinct from old.published_version then
    if new.status <> 'published' or new.published_version is null
       or (old.published_version is not null and new.published_version <= old.published_version) then
      raise exception 'only a newer version can be published' using errcode = '42501';
    end if;
    if not exists (select 1 from program_publication p
                    where p.program_id = new.id and p.version = new.published_version
                      and p.status = 'approved') then
      raise exception 'a version is published only through an approved publication request'
        using errcode = '42501';
    end if;
  end if;
  return new;
end;
$$;
comment on function program_transition_guard() is 'Keeps a program on its status path and its identity fixed; publishes only a version whose publication a second operator approved.';

create trigger program_transition_guard before update on program
  for each row execute function program_transition_guard();
create trigger program_no_delete before delete on program
  for each row execute function program_history_immutable();

-- Publication needs two people (issue #13): one asks, a different one approves. The database
-- refuses an approval by the one who asked, and a decided request never changes again.
create table program_publication (
  id uuid primary key,
  program_id uuid not null references program (id),
  version integer not null check (version >= 1),
  requested_by uuid not null,
  requested_at timestamptz not null default now(),
  status text not null default 'pending' check (status in ('pending', 'approved', 'refused')),
  decided_by uuid,
  decided_at timestamptz,
  foreign key (program_id, version) references program_version (program_id, version),
  check ((status = 'pending') = (decided_by is null)),
  check ((decided_by is null) = (decided_at is null)),
  check (status <> 'approved' or decided_by <> requested_by)
);
create unique index program_publication_one_pending_idx on program_publication (program_id) where status = 'pending';

comment on table program_publication is 'Requests to publish a program version: asked by one operator, approved or refused by another.';
comment on column program_publication.id is 'Database key (UUID).';
comment on column program_publication.program_id is 'The program.';
comment on column program_publication.version is 'The version asked to be published.';
comment on column program_publication.requested_by is 'Operator who asked.';
comment on column program_publication.requested_at is 'When it was asked.';
comment on column program_publication.status is 'pending, approved (the version was published) or refused.';
comment on column program_publication.decided_by is 'Operator who approved or refused; never the one who asked when approved.';
comment on column program_publication.decided_at is 'When it was decided.';

create function program_publication_guard() returns trigger
  language plpgsql
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  if old.status <> 'pending' then
    raise exception 'a decided publication request never changes' using errcode = '42501';
  end if;
  if new.id <> old.id or new.program_id <> old.program_id or new.version <> old.version
     or new.requested_by <> old.requested_by or new.requested_at <> old.requested_at then
    raise exception 'only the decision of a publication request may be recorded' using errcode = '42501';
  end if;
  return new;
end;
$$;
comment on function program_publication_guard() is 'A publication request changes once, from pending to its decision.';

create trigger program_publication_guard before update on program_publication
  for each row execute function program_publication_guard();
create trigger program_publication_no_delete before delete on program_publication
  for each row execute function program_history_immutable();

grant select, insert on program, program_version, program_status_change, program_publication to amparo_app;
grant update (status, decided_by, decided_at) on program_publication to amparo_app;
grant update (status, published_version, updated_at) on program to amparo_app;
