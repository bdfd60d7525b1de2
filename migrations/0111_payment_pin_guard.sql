-- Payment PINs that one clerk cannot take over (issue #16; docs/PAYMENTS-PIN.md). A reviewer showed
-- that an enrolment clerk could reset anyone's PIN in their region, issue a card or print a sign-in
-- code, and pay from the wallet with a merchant. Now:
--  * staff set a PIN only after a second check the clerk does not control (payment_pin_check): a
--    one-time code texted to the phone on file, or the photo on file checked plus a second
--    operator's approval (another account);
--  * a PIN set by staff without the texted code is held (payment_pin.held_until): it pays nothing
--    until then;
--  * every set is kept (payment_pin_change), for the per-clerk daily bound and for the auditors'
--    alert on one account that printed a sign-in code or issued a card and reset the PIN;
--  * the hash is peppered (an HMAC under a key derived from the master key, then argon2id):
--    hash_version 2; a version 1 hash is upgraded at its next right PIN;
--  * wrong PINs at a merchant's counter are kept (merchant_pin_failure), bounded per merchant and
--    day, and scanned for spraying across many cards;
--  * the sign-in code that opened a citizen session is tied to it (citizen_sign_in_code.session_id),
--    so a session opened with a code a clerk printed cannot set the PIN.

alter table payment_pin add column hash_version smallint not null default 1 check (hash_version in (1, 2));
alter table payment_pin add column set_method text not null default 'self'
  check (set_method in ('self', 'staff_phone_code', 'staff_two_person'));
alter table payment_pin add column held_until timestamptz;
comment on column payment_pin.pin_hash is 'argon2id hash (PHC string) of the PIN (hash_version 1) or of HMAC-SHA256 of person id and PIN under a key derived from the master key (hash_version 2).';
comment on column payment_pin.hash_version is '1: argon2id of the PIN alone (before migration 0111), upgraded to 2 at its next right PIN; 2: peppered.';
comment on column payment_pin.set_method is 'Who set it last: self (the person, in a session opened by a texted code), staff_phone_code (staff, with the code texted to the phone on file), staff_two_person (staff, photo checked and a second operator approved).';
comment on column payment_pin.held_until is 'A PIN set by staff without the texted code pays nothing before this; null when not held.';
grant update (hash_version, set_method, held_until) on payment_pin to amparo_app;

create table payment_pin_check (
  id uuid primary key,
  person_id uuid not null,
  operator_id uuid not null,
  method text not null check (method in ('phone_code', 'two_person')),
  code_hash bytea,
  code_attempts integer not null default 0 check (code_attempts >= 0),
  photo_checked boolean not null default false,
  approved_by uuid,
  approved_at timestamptz,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz,
  failed_at timestamptz,
  check ((method = 'phone_code') = (code_hash is not null)),
  check (method = 'phone_code' or photo_checked),
  check (approved_by is null or (method = 'two_person' and approved_by <> operator_id)),
  check ((approved_by is null) = (approved_at is null))
);
create index payment_pin_check_person_idx on payment_pin_check (person_id, created_at);
create index payment_pin_check_waiting_idx on payment_pin_check (created_at)
  where method = 'two_person' and approved_by is null and used_at is null and failed_at is null;
comment on table payment_pin_check is 'The second check before staff set a person''s payment PIN: a code texted to the phone on file, or the photo checked and a second operator''s approval.';
comment on column payment_pin_check.id is 'Database key (UUID).';
comment on column payment_pin_check.person_id is 'The person whose PIN is to be set.';
comment on column payment_pin_check.operator_id is 'The staff member who started it; only they set the PIN under it.';
comment on column payment_pin_check.method is 'phone_code or two_person.';
comment on column payment_pin_check.code_hash is 'HMAC-SHA256 of the texted code (key derived from the master key, bound to this id); never the code.';
comment on column payment_pin_check.code_attempts is 'Wrong codes typed; the check fails at the bound.';
comment on column payment_pin_check.photo_checked is 'The starting operator attests the person at the counter matches the photo on file (two_person).';
comment on column payment_pin_check.approved_by is 'The second operator (another account) who approved it, having checked the photo too.';
comment on column payment_pin_check.approved_at is 'When it was approved.';
comment on column payment_pin_check.created_at is 'When it was started.';
comment on column payment_pin_check.expires_at is 'After this it sets nothing.';
comment on column payment_pin_check.used_at is 'When a PIN was set under it (once).';
comment on column payment_pin_check.failed_at is 'When it failed for good (too many wrong codes).';
grant select, insert on payment_pin_check to amparo_app;
grant update (code_attempts, approved_by, approved_at, used_at, failed_at) on payment_pin_check to amparo_app;

create table payment_pin_change (
  id uuid primary key,
  person_id uuid not null,
  method text not null check (method in ('self', 'staff_phone_code', 'staff_two_person')),
  operator_id uuid,
  approved_by uuid,
  changed_at timestamptz not null,
  check ((method = 'self') = (operator_id is null))
);
create index payment_pin_change_operator_idx on payment_pin_change (operator_id, changed_at) where operator_id is not null;
create index payment_pin_change_time_idx on payment_pin_change (changed_at) where operator_id is not null;
comment on table payment_pin_change is 'Every time a payment PIN was set, by whom and how (never the PIN): the per-clerk daily bound and the auditors'' alerts read it.';
comment on column payment_pin_change.id is 'Database key (UUID).';
comment on column payment_pin_change.person_id is 'The person whose PIN was set.';
comment on column payment_pin_change.method is 'As payment_pin.set_method.';
comment on column payment_pin_change.operator_id is 'The staff member who set it; null when the person did.';
comment on column payment_pin_change.approved_by is 'The second operator of a two_person check.';
comment on column payment_pin_change.changed_at is 'When.';
grant select, insert on payment_pin_change to amparo_app;

create table merchant_pin_failure (
  id uuid primary key,
  merchant_id uuid not null references merchant (id),
  person_id uuid not null,
  failed_at timestamptz not null,
  failed_day date not null
);
create index merchant_pin_failure_day_idx on merchant_pin_failure (merchant_id, failed_day);
create index merchant_pin_failure_time_idx on merchant_pin_failure (failed_at);
comment on table merchant_pin_failure is 'A wrong PIN typed at a merchant''s counter: bounded per merchant and day, scanned for spraying across many cards.';
comment on column merchant_pin_failure.id is 'Database key (UUID).';
comment on column merchant_pin_failure.merchant_id is 'The merchant whose device sent it.';
comment on column merchant_pin_failure.person_id is 'The card holder whose PIN was wrong.';
comment on column merchant_pin_failure.failed_at is 'When.';
comment on column merchant_pin_failure.failed_day is 'The UTC day of failed_at, counted against the merchant''s daily bound.';
grant select, insert on merchant_pin_failure to amparo_app;

alter table citizen_sign_in_code add column session_id uuid;
comment on column citizen_sign_in_code.session_id is 'The citizen session the code opened; null until used.';
create index citizen_sign_in_code_session_idx on citizen_sign_in_code (session_id) where session_id is not null;
grant update (session_id) on citizen_sign_in_code to amparo_app;

alter table security_alert drop constraint security_alert_kind_check;
alter table security_alert add constraint security_alert_kind_check
  check (kind in ('read_quota_exceeded', 'audit_signing_failed', 'audit_log_rolled_back', 'payment_merchant_fan_in', 'grant_tracking_evicted', 'payment_pin_staff_takeover', 'payment_pin_spray'));
comment on column security_alert.kind is 'What happened: read_quota_exceeded (an operator read beyond their quota), audit_signing_failed (signing or witnessing audit tree heads failed; raised once per failing streak), audit_log_rolled_back (at start, the audit log was shorter than a head in the witness file), payment_merchant_fan_in (many distinct wallets paid one merchant account within minutes; details name the ledger account, counts and the window, never a person), grant_tracking_evicted (the requests whose grants the gate remembers reached their cap and the oldest were forgotten: a refusal after their grants would not be audited; details count them, at most one alert a minute per process), payment_pin_staff_takeover (one staff account set a person''s payment PIN and printed them a sign-in code or issued them a card within the window; the operator is named, the person is not), payment_pin_spray (one merchant''s counter typed wrong PINs for many distinct cards within the window; details name the merchant and counts).';
