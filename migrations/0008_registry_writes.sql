-- Registry writes: name search keys, the duplicate review queue, and the date of death.
--
-- The search table and the review queue hold personal data, so the application role gets no
-- DELETE on them (safeguard 5): search keys are replaced by UPDATE when a record changes,
-- and a review item is closed, never removed.

alter table person add column date_of_death date;
comment on column person.date_of_death is 'Date of death for a deceased person (status deceased); null otherwise.';
grant update (date_of_death) on person to amparo_app;

alter table person_version add column correction_reason text
  check (correction_reason in ('clerical_error', 'document_presented', 'person_request', 'appeal_decision', 'other'));
comment on column person_version.correction_reason is 'For a correction, why (a closed list, so that no free text about a person is kept here).';

create table person_search (
  person_id uuid primary key references person (id),
  region_code text not null check (region_code ~ '^VE-[A-Z]$'),
  name_keys text[] not null,
  name_tokens text[] not null,
  updated_at timestamptz not null default now()
);
-- GIN over a text array is built into PostgreSQL (and PGlite): no extension needed.
create index person_search_keys_idx on person_search using gin (name_keys);

comment on table person_search is 'Name search keys of each person''s current version: normalised name tokens and Spanish phonetic keys. Replaced (UPDATE) when names change; emptied on erasure.';
comment on column person_search.person_id is 'The person.';
comment on column person_search.region_code is 'The person''s region, copied so a search filters by the operator''s regions without a join.';
comment on column person_search.name_keys is 'Search keys: t:<normalised token> and s:<phonetic key> for every name token.';
comment on column person_search.name_tokens is 'Normalised name tokens (given names, then surnames), for ranking by string similarity.';
comment on column person_search.updated_at is 'When the keys were last written.';

create table duplicate_review (
  id uuid primary key,
  kind text not null check (kind in ('review', 'held')),
  status text not null default 'open' check (status in ('open', 'decided')),
  region_code text not null check (region_code ~ '^VE-[A-Z]$'),
  person_id uuid references person (id),
  held_person_id uuid,
  held_wrapped_key bytea,
  held_attributes bytea,
  held_household jsonb,
  candidates jsonb not null check (jsonb_typeof(candidates) = 'array'),
  decision text check (decision in ('new', 'merge')),
  survivor_id uuid references person (id),
  opened_by uuid,
  opened_at timestamptz not null default now(),
  decided_by uuid,
  decided_at timestamptz,
  check (kind <> 'review' or person_id is not null),
  check ((kind = 'held') = (held_person_id is not null)),
  check ((status = 'decided') = (decision is not null and decided_at is not null)),
  check (decision is distinct from 'merge' or survivor_id is not null)
);
create index duplicate_review_open_idx on duplicate_review (region_code, opened_at) where status = 'open';

comment on table duplicate_review is 'Possible duplicates found at enrolment, for a supervisor to decide: keep as a new person or merge.';
comment on column duplicate_review.id is 'Review item id.';
comment on column duplicate_review.kind is 'review: the person was enrolled and may duplicate a candidate; held: so likely a duplicate that the enrolment waits for the decision.';
comment on column duplicate_review.status is 'open until a supervisor decides.';
comment on column duplicate_review.region_code is 'Region of the enrolled or held person, for regional access.';
comment on column duplicate_review.person_id is 'The enrolled person (review), or the person created when a held enrolment is kept as new.';
comment on column duplicate_review.held_person_id is 'Id reserved for a held enrolment; its data key is bound to it.';
comment on column duplicate_review.held_wrapped_key is 'Data key of a held enrolment, wrapped by the master key for held_person_id; null once discarded (crypto-shredded) or used.';
comment on column duplicate_review.held_attributes is 'All attributes of a held enrolment, AES-256-GCM under that data key; associated data duplicate_review|held_attributes|<id>.';
comment on column duplicate_review.held_household is 'Household part of a held enrolment (identifiers and relationship only).';
comment on column duplicate_review.candidates is 'Candidate persons with scores and per-field agreement levels: identifiers only, never attributes.';
comment on column duplicate_review.decision is 'new: a different person; merge: the same person as survivor_id.';
comment on column duplicate_review.survivor_id is 'For merge, the record that survives.';
comment on column duplicate_review.opened_by is 'Operator whose enrolment opened the item.';
comment on column duplicate_review.opened_at is 'When the item was opened.';
comment on column duplicate_review.decided_by is 'Supervisor who decided.';
comment on column duplicate_review.decided_at is 'When it was decided.';

grant select, insert on person_search, duplicate_review to amparo_app;
grant update (region_code, name_keys, name_tokens, updated_at) on person_search to amparo_app;
grant update (status, person_id, held_wrapped_key, decision, survivor_id, decided_by, decided_at) on duplicate_review to amparo_app;
