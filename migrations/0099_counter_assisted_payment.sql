-- Paying at a merchant's counter without the card (issue #16, point 5; safeguard 9). A person with
-- neither a phone nor the card names themself by ID number and types their payment PIN on the
-- merchant's device; then one second check, as a redemption without the card has (migration 0052):
-- a one-time code texted to the phone on file (kept only as a keyed hash, single-use,
-- short-lived), the photo on file shown to the merchant with the merchant's attestation, or a
-- household member's valid card. Each attempt is one row, refused ones too (an unknown ID number,
-- a wrong PIN, no wallet or a frozen one: one answer to the merchant, and no person recorded), so
-- the rows count every try against the merchant's daily bound and the supervisor sees them. The
-- payment made under a passed check is an ordinary merchant payment of channel 'assisted'.

create table counter_assisted_payment (
  id uuid primary key,
  merchant_id uuid not null references merchant (id),
  operator_id uuid not null,
  request_id uuid not null references payment_request (id),
  person_id uuid references person (id),
  reason text not null check (reason in ('lost', 'not_yet_issued', 'damaged', 'never_had')),
  method text not null check (method in ('phone_code', 'photo_attested', 'household_card')),
  code_hash bytea,
  code_expires_at timestamptz,
  code_attempts integer not null default 0 check (code_attempts >= 0),
  household_credential_id bytea,
  started_at timestamptz not null,
  started_day date not null,
  refused_at timestamptz,
  verified_at timestamptz,
  failed_at timestamptz,
  paid_at timestamptz,
  check ((refused_at is null) = (person_id is not null)),
  check (refused_at is null or (code_hash is null and verified_at is null and failed_at is null)),
  check (refused_at is not null or (method = 'phone_code') = (code_hash is not null and code_expires_at is not null)),
  check (household_credential_id is null or method = 'household_card'),
  check (verified_at is null or failed_at is null),
  check (paid_at is null or verified_at is not null)
);
create index counter_assisted_payment_merchant_day_idx on counter_assisted_payment (merchant_id, started_day);
create index counter_assisted_payment_person_idx on counter_assisted_payment (person_id);
comment on table counter_assisted_payment is 'One try to pay at a merchant''s counter without the card: ID number and PIN, the reason, the second check and its outcome.';
comment on column counter_assisted_payment.id is 'Database key (UUID).';
comment on column counter_assisted_payment.merchant_id is 'The merchant whose device took it; counted against its daily bound.';
comment on column counter_assisted_payment.operator_id is 'The merchant''s staff member who started it; the check is valid for them only.';
comment on column counter_assisted_payment.request_id is 'The merchant''s payment request (the price) it pays.';
comment on column counter_assisted_payment.person_id is 'The person named by the ID number, once ID number and PIN passed; null for a refused try.';
comment on column counter_assisted_payment.reason is 'Why there is no card: lost, not_yet_issued, damaged, never_had.';
comment on column counter_assisted_payment.method is 'The second check: phone_code, photo_attested or household_card.';
comment on column counter_assisted_payment.code_hash is 'HMAC-SHA256 of the texted code (key derived from the master key, bound to this id); never the code.';
comment on column counter_assisted_payment.code_expires_at is 'After this the code is refused.';
comment on column counter_assisted_payment.code_attempts is 'Wrong codes entered; the check fails at the bound.';
comment on column counter_assisted_payment.household_credential_id is 'The household member''s card that was scanned (method household_card).';
comment on column counter_assisted_payment.started_at is 'When the merchant''s staff started it.';
comment on column counter_assisted_payment.started_day is 'The UTC day of started_at, counted against the merchant''s daily bound.';
comment on column counter_assisted_payment.refused_at is 'When ID number and PIN were refused (unknown number, wrong or locked PIN, no wallet, frozen wallet: one answer).';
comment on column counter_assisted_payment.verified_at is 'When the second check passed (once).';
comment on column counter_assisted_payment.failed_at is 'When the check failed for good (too many wrong codes, or the code expired).';
comment on column counter_assisted_payment.paid_at is 'When the payment under the passed check was made (merchant_payment of channel assisted).';

alter table merchant_payment drop constraint merchant_payment_channel_check;
alter table merchant_payment add constraint merchant_payment_channel_check check (
  channel in ('wallet', 'counter', 'assisted')
);
comment on column merchant_payment.channel is 'wallet (the payment app), counter (the card''s QR and the PIN on the merchant''s device) or assisted (at the counter by ID number, PIN and a second check, without the card).';

grant select, insert on counter_assisted_payment to amparo_app;
-- A try is written refused first (it counts at once against the bound, before any PIN is tried)
-- and becomes started when ID number and PIN pass: person, code and refused_at are set then.
grant update (person_id, refused_at, code_hash, code_expires_at, code_attempts, household_credential_id, verified_at, failed_at, paid_at) on counter_assisted_payment to amparo_app;
