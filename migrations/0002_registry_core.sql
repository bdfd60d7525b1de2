-- Registry core: persons with append-only versions, their wrapped data keys and blind
-- indexes, and households. Nothing here can be deleted by the application role (safeguard 5):
-- corrections are new versions; erasure destroys the data key (crypto-shredding).

create table person (
  id uuid primary key,
  uin char(10) not null unique check (uin ~ '^[2-9][0-9]{9}$'),
  status text not null default 'active' check (status in ('active', 'deceased', 'merged', 'erased')),
  region_code text not null check (region_code ~ '^VE-[A-Z]$'),
  merged_into uuid references person (id) check (merged_into <> id),
  current_version integer not null default 1 check (current_version >= 1),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((status = 'merged') = (merged_into is not null))
);
create index person_region_idx on person (region_code);

comment on table person is 'A registered person: stable key, ID number and status. Attributes live in person_version.';
comment on column person.id is 'Database key (UUID); never shown on a card, never derived from personal data.';
comment on column person.uin is 'Person ID number: 10 digits, Verhoeff check digit, drawn at random. Can be reissued without rewriting history.';
comment on column person.status is 'active, deceased, merged (into merged_into) or erased (data key destroyed).';
comment on column person.region_code is 'ISO 3166-2:VE state of the current address: the key for regional access policy and for sharding.';
comment on column person.merged_into is 'For a merged record, the surviving record; nothing is deleted by a merge.';
comment on column person.current_version is 'Number of the newest row in person_version.';
comment on column person.created_at is 'When the person was first enrolled.';
comment on column person.updated_at is 'When status, region or current version last changed.';

create table person_version (
  person_id uuid not null references person (id),
  version integer not null check (version >= 1),
  attributes jsonb not null check (jsonb_typeof(attributes) = 'object'),
  sealed_attributes bytea,
  reason text not null check (reason in ('enrolment', 'import', 'correction', 'death', 'merge', 'move', 'demo')),
  recorded_by uuid,
  recorded_at timestamptz not null default now(),
  primary key (person_id, version)
);

comment on table person_version is 'Append-only history of a person''s attributes: every change is a new version recording who, when and why.';
comment on column person_version.person_id is 'The person.';
comment on column person_version.version is 'Version number, 1 for the enrolment, increasing by one.';
comment on column person_version.attributes is 'Catalogue attributes that are not sensitive (names, sex, date of birth, region codes…).';
comment on column person_version.sealed_attributes is 'Sensitive catalogue attributes (phone, address detail, disability…) as AES-256-GCM under the person''s data key; associated data person_version|sealed_attributes|<person id>:<version>.';
comment on column person_version.reason is 'Why this version exists: enrolment, import, correction, death, merge, move, demo.';
comment on column person_version.recorded_by is 'Operator who made the change; null for system jobs.';
comment on column person_version.recorded_at is 'When the version was recorded.';

create table person_key (
  person_id uuid primary key references person (id),
  wrapped_key bytea,
  shredded_at timestamptz,
  check ((wrapped_key is null) = (shredded_at is not null))
);

comment on table person_key is 'Each person''s data key, wrapped by the master key held outside the database.';
comment on column person_key.person_id is 'The person.';
comment on column person_key.wrapped_key is 'AES-256-GCM-wrapped 256-bit data key; null once erased (crypto-shredding).';
comment on column person_key.shredded_at is 'When the key was destroyed by an approved erasure.';

create table person_blind_index (
  person_id uuid not null references person (id),
  kind text not null check (kind in ('phone')),
  digest bytea check (digest is null or octet_length(digest) = 16),
  primary key (person_id, kind)
);
create index person_blind_index_lookup_idx on person_blind_index (kind, digest) where digest is not null;

comment on table person_blind_index is 'Exact-match search keys for encrypted attributes (truncated HMAC-SHA-256), current version only.';
comment on column person_blind_index.person_id is 'The person.';
comment on column person_blind_index.kind is 'Which attribute: phone.';
comment on column person_blind_index.digest is 'Truncated HMAC of the normalised value; null after erasure or when the value is removed.';

create table household (
  id uuid primary key,
  region_code text not null check (region_code ~ '^VE-[A-Z]$'),
  created_at timestamptz not null default now()
);

comment on table household is 'A household: people living together and sharing provisions.';
comment on column household.id is 'Database key (UUID).';
comment on column household.region_code is 'ISO 3166-2:VE state of the household''s address.';
comment on column household.created_at is 'When the household was registered.';

create table household_membership (
  household_id uuid not null references household (id),
  person_id uuid not null references person (id),
  relationship text not null check (relationship in ('head', 'spouse', 'child', 'parent', 'sibling', 'grandchild', 'other_relative', 'non_relative')),
  valid_from timestamptz not null default now(),
  valid_to timestamptz check (valid_to is null or valid_to >= valid_from),
  recorded_by uuid,
  primary key (household_id, person_id, valid_from)
);
create unique index household_membership_one_current_idx on household_membership (person_id) where valid_to is null;
create unique index household_membership_one_head_idx on household_membership (household_id) where valid_to is null and relationship = 'head';

comment on table household_membership is 'Who belongs to which household, and since when. A move closes one membership and opens another; nothing is deleted.';
comment on column household_membership.household_id is 'The household.';
comment on column household_membership.person_id is 'The member.';
comment on column household_membership.relationship is 'Relationship to the head of household.';
comment on column household_membership.valid_from is 'When the person joined the household.';
comment on column household_membership.valid_to is 'When the person left; null while a member.';
comment on column household_membership.recorded_by is 'Operator who recorded the membership; null for system jobs.';

grant select, insert on person, person_version, person_key, person_blind_index, household, household_membership to amparo_app;
grant update (status, region_code, merged_into, current_version, updated_at) on person to amparo_app;
grant update (wrapped_key, shredded_at) on person_key to amparo_app;
grant update (digest) on person_blind_index to amparo_app;
grant update (valid_to) on household_membership to amparo_app;
