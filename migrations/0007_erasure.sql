-- Lawful erasure (safeguard 5): a request by one administrator, approved by a different one,
-- executed as crypto-shredding. Requests are kept for ever as the record of what was erased,
-- by whom and on what grounds; they hold no personal attributes (a fixed reason code and a
-- short case reference only). The application role may insert a request and move it along
-- pending -> executed or pending -> withdrawn; it can never delete one.

create table erasure_request (
  id uuid primary key,
  person_id uuid not null references person (id),
  requested_by uuid not null references operator (id),
  reason_code text not null check (
    reason_code in ('person_request', 'court_order', 'duplicate_of_erased', 'deceased_retention_expired')
  ),
  -- A case or file number: one token of letters, digits and . / _ : # - with at least one
  -- digit, so that a name or a sentence cannot be typed into it.
  reference text check (
    reference is null
    or (reference ~ '^[A-Za-z0-9][A-Za-z0-9./_:#-]{0,39}$' and reference ~ '[0-9]')
  ),
  requested_at timestamptz not null,
  status text not null default 'pending' check (status in ('pending', 'executed', 'withdrawn')),
  approved_by uuid references operator (id),
  approved_at timestamptz,
  executed_at timestamptz,
  withdrawn_by uuid references operator (id),
  withdrawn_at timestamptz,
  -- Two different administrators, enforced by the database as well as by the service.
  check (approved_by is null or approved_by <> requested_by),
  check ((status = 'executed') = (approved_by is not null and approved_at is not null and executed_at is not null)),
  check ((status = 'withdrawn') = (withdrawn_by is not null and withdrawn_at is not null)),
  check (approved_at is null or approved_at >= requested_at),
  check (withdrawn_at is null or withdrawn_at >= requested_at)
);
-- At most one open request per person: a second one is refused (409) rather than queued.
create unique index erasure_request_one_pending_idx on erasure_request (person_id) where status = 'pending';
create index erasure_request_person_idx on erasure_request (person_id, requested_at);
create index erasure_request_status_idx on erasure_request (status, requested_at);

comment on table erasure_request is 'Lawful erasure requests: asked by one administrator, approved and executed (crypto-shredding) by a different one, or withdrawn. Never deleted.';
comment on column erasure_request.id is 'Database key (UUID).';
comment on column erasure_request.person_id is 'The person to erase.';
comment on column erasure_request.requested_by is 'The administrator who asked for the erasure.';
comment on column erasure_request.reason_code is 'Legal ground, from a fixed list (no free text): person_request, court_order, duplicate_of_erased, deceased_retention_expired.';
comment on column erasure_request.reference is 'Case or file number of the supporting document, e.g. TSJ-2026-00123; one token with a digit, at most 40 characters, so it cannot hold a name.';
comment on column erasure_request.requested_at is 'When the request was made.';
comment on column erasure_request.status is 'pending (waiting for a second administrator), executed (data key destroyed) or withdrawn.';
comment on column erasure_request.approved_by is 'The second administrator, who approved and so executed the erasure; never the requester.';
comment on column erasure_request.approved_at is 'When the request was approved.';
comment on column erasure_request.executed_at is 'When the data key was destroyed (same transaction as the approval).';
comment on column erasure_request.withdrawn_by is 'The administrator who withdrew the request (the requester or another one).';
comment on column erasure_request.withdrawn_at is 'When the request was withdrawn.';

grant select, insert on erasure_request to amparo_app;
grant update (status, approved_by, approved_at, executed_at, withdrawn_by, withdrawn_at) on erasure_request to amparo_app;
