-- Stored payee accounts (issue #16, point 4; an attacker review): one finance officer typed each
-- creditor's account into the payout batch's request and could pay any account they liked (the
-- second officer's tick on accounts new since the last settled payment was the only bound). Now:
--   * each person's payee account (bank account or Pago Movil number, the holder's name and
--     cedula as the bank needs them) is kept here, sealed under the person's data key, one row
--     per change, never updated (append-only history: who set it, how, who approved);
--   * setting it needs the shared second check the staff member does not control (the one the
--     payment PIN uses: a code texted to the phone on file, or the photo on file and another
--     account's approval), kept in payment_pin_check with subject 'payee_account';
--   * one set without the texted code is held (held_until): no batch pays it until then;
--   * a payout batch takes each payee from here, never from the request; a person without a
--     usable account is left out and listed (payout_exclusion) with the reason.

create table payee_account (
  id uuid primary key,
  person_id uuid not null,
  account_kind text not null check (account_kind in ('bank_account', 'mobile_money')),
  bank_code text check (bank_code ~ '^[0-9]{4}$'),
  bank_bic text check (bank_bic ~ '^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$'),
  payee_sealed bytea not null check (length(payee_sealed) > 29),
  set_method text not null check (set_method in ('staff_phone_code', 'staff_two_person')),
  set_by uuid not null,
  approved_by uuid,
  check_id uuid not null unique,
  set_at timestamptz not null,
  held_until timestamptz,
  check ((set_method = 'staff_two_person') = (approved_by is not null)),
  check (approved_by is null or approved_by <> set_by),
  check (set_method = 'staff_two_person' or held_until is null)
);
create index payee_account_person_idx on payee_account (person_id, set_at desc);
create index payee_account_setter_idx on payee_account (set_by, set_at);
comment on table payee_account is 'Each person''s payee account for bank payouts, one row per change (append-only): the latest row is the account in use; payout batches take their creditors from it.';
comment on column payee_account.id is 'Database key (UUID); part of the sealed box''s associated data.';
comment on column payee_account.person_id is 'The person paid into it (registry record id), whose data key seals it.';
comment on column payee_account.account_kind is 'bank_account (20-digit Venezuelan account) or mobile_money (Pago Movil number).';
comment on column payee_account.bank_code is 'The bank''s four-digit code (SUDEBAN); a bank account''s first four digits.';
comment on column payee_account.bank_bic is 'The bank''s BIC, when known.';
comment on column payee_account.payee_sealed is 'The holder''s name as the bank needs it, their cedula and the account or phone number, as JSON sealed with AES-256-GCM under the person''s data key (associated data payee_account|payee_sealed|id). Unreadable once the person is erased.';
comment on column payee_account.set_method is 'staff_phone_code (the code texted to the phone on file was typed) or staff_two_person (photo on file and a second account''s approval: held).';
comment on column payee_account.set_by is 'The staff member who set it.';
comment on column payee_account.approved_by is 'The second staff account of a two-person check (never set_by).';
comment on column payee_account.check_id is 'The second check spent to set it (payment_pin_check, subject payee_account); one account per check.';
comment on column payee_account.set_at is 'When it was set.';
comment on column payee_account.held_until is 'Set without the texted code: no payout batch pays it before this; null when not held.';
grant select, insert on payee_account to amparo_app;

alter table payment_pin_check add column subject text not null default 'payment_pin'
  check (subject in ('payment_pin', 'payee_account'));
comment on table payment_pin_check is 'The second check before staff set a person''s payment PIN or payee account: a code texted to the phone on file, or the photo checked and a second operator''s approval.';
comment on column payment_pin_check.subject is 'What the check lets its operator set: payment_pin or payee_account (a check of one sets nothing of the other).';

alter table payout_batch add column excluded_count integer not null default 0 check (excluded_count >= 0);
alter table payout_batch add column excluded_amount_minor bigint not null default 0 check (excluded_amount_minor >= 0);
comment on column payout_batch.excluded_count is 'Instructions of the request left out because their person had no usable payee account (payout_exclusion lists them).';
comment on column payout_batch.excluded_amount_minor is 'What those instructions asked for, in minor units (the request''s total is this plus amount_total_minor).';

create table payout_exclusion (
  batch_id uuid not null references payout_batch (id),
  seq integer not null check (seq >= 0),
  reference_id uuid not null,
  person_id uuid not null,
  amount_minor bigint not null check (amount_minor > 0),
  reason text not null check (reason in ('no_payee_account', 'payee_account_held')),
  held_until timestamptz,
  primary key (batch_id, seq),
  check ((reason = 'payee_account_held') = (held_until is not null))
);
comment on table payout_exclusion is 'The entitlements a payout batch''s request named but left out, because their person had no usable payee account then; the entitlement stays payable.';
comment on column payout_exclusion.batch_id is 'The batch.';
comment on column payout_exclusion.seq is 'The instruction''s place in the request.';
comment on column payout_exclusion.reference_id is 'The entitlement not paid.';
comment on column payout_exclusion.person_id is 'Its holder, whose payee account is to be set.';
comment on column payout_exclusion.amount_minor is 'What the instruction asked for.';
comment on column payout_exclusion.reason is 'no_payee_account (none set) or payee_account_held (set without the texted code, held).';
comment on column payout_exclusion.held_until is 'When the hold of a held account ends.';
grant select, insert on payout_exclusion to amparo_app;
