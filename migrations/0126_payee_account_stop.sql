-- The person can stop a held payee account change (payouts/README.md, "Payee accounts"): a change
-- set under the two-person check is held for a day and the person is texted its last four digits
-- and a stop code. Typing that code with their ID number (POST /api/payee-account-stops, no
-- session, rate-limited) stops the change for good: it never becomes the account in use.
-- payee_account stays append-only; the stop is kept here, one row per held change.

create table payee_account_stop (
  payee_account_id uuid primary key references payee_account (id),
  person_id uuid not null,
  code_hash bytea not null check (length(code_hash) = 32),
  code_attempts integer not null default 0 check (code_attempts >= 0),
  expires_at timestamptz not null,
  stopped_at timestamptz,
  stopped_reason text check (stopped_reason in ('person_code', 'stop_code_attempts')),
  check ((stopped_at is null) = (stopped_reason is null))
);
create index payee_account_stop_person_idx on payee_account_stop (person_id);
comment on table payee_account_stop is 'The stop code of each held payee account change, and whether the change was stopped (a stopped change is never the account in use).';
comment on column payee_account_stop.payee_account_id is 'The held change (payee_account).';
comment on column payee_account_stop.person_id is 'The person whose change it is.';
comment on column payee_account_stop.code_hash is 'HMAC-SHA-256 of the stop code texted to the person, under a key derived from the master key and bound to the change''s id; the code is never kept.';
comment on column payee_account_stop.code_attempts is 'Wrong stop codes typed for this change.';
comment on column payee_account_stop.expires_at is 'The end of the hold: no stop after it.';
comment on column payee_account_stop.stopped_at is 'When the change was stopped; null while it stands.';
comment on column payee_account_stop.stopped_reason is 'person_code (the person typed the code) or stop_code_attempts (too many wrong codes: stopped as a precaution).';
grant select, insert on payee_account_stop to amparo_app;
grant update (code_attempts, stopped_at, stopped_reason) on payee_account_stop to amparo_app;
