-- A payee account set or changed soon after a change of the phone on file is held, like a PIN
-- (payouts/README.md, "A payee account after a change of phone"; docs/PAYMENTS-PIN.md, F4). A
-- reviewer showed that one enrolment clerk could put their own phone on a person's record, start
-- a payee check whose code is texted to that phone, and move the person's payouts to an account
-- of their own: the next batch paid it. Now:
--  * a payee account set within the phone-change window (AMPARO_PIN_PHONE_CHANGE_DAYS) after a
--    change of the phone on file is held for the hold (held_until, as a two-person set is);
--    payee_account.hold_reason says why;
--  * every set keeps the change of phone it followed (phone_changed_at, phone_changed_by), for the
--    auditors' alert payee_account_takeover, which names the operator who changed the phone;
--  * a batch made during that hold leaves the person out with its own reason
--    (payee_account_phone_changed, until when): the entitlement stays payable for a later batch.
-- No data is lost: every held row before this was held by staff (the only hold there was).

alter table payee_account add column hold_reason text
  check (hold_reason in ('staff_two_person', 'phone_changed'));
update payee_account set hold_reason = 'staff_two_person' where held_until is not null;
alter table payee_account add constraint payee_account_held_has_reason_check
  check ((held_until is null) = (hold_reason is null));
-- Was: only a two-person set is held. Now a set with the texted code may be held too (after a
-- change of phone); a two-person set is still always held.
alter table payee_account drop constraint payee_account_check2;
alter table payee_account add constraint payee_account_two_person_held_check
  check (set_method <> 'staff_two_person' or held_until is not null);
alter table payee_account add column phone_changed_at timestamptz;
alter table payee_account add column phone_changed_by uuid;
alter table payee_account add constraint payee_account_phone_check
  check (phone_changed_by is null or phone_changed_at is not null);
create index payee_account_phone_idx on payee_account (set_at) where phone_changed_by is not null;
comment on column payee_account.held_until is 'A held change: no payout batch pays it before this (see hold_reason); null when not held.';
comment on column payee_account.hold_reason is 'Why the change is held: staff_two_person (set without the texted code) or phone_changed (set within the window after a change of the phone on file); null when not held.';
comment on column payee_account.phone_changed_at is 'The latest change of the phone on file within the window before this set (the version''s recorded_at); null when none.';
comment on column payee_account.phone_changed_by is 'The operator who recorded that change of phone; null when none, or when a system job did.';

alter table payout_exclusion drop constraint payout_exclusion_reason_check;
alter table payout_exclusion add constraint payout_exclusion_reason_check
  check (reason in ('no_payee_account', 'payee_account_held', 'payee_account_phone_changed'));
alter table payout_exclusion drop constraint payout_exclusion_check;
alter table payout_exclusion add constraint payout_exclusion_held_check
  check ((reason <> 'no_payee_account') = (held_until is not null));
comment on column payout_exclusion.reason is 'no_payee_account (none set), payee_account_held (set without the texted code, held) or payee_account_phone_changed (set soon after a change of the phone on file, held).';

alter table security_alert drop constraint security_alert_kind_check;
alter table security_alert add constraint security_alert_kind_check
  check (kind in ('read_quota_exceeded', 'audit_signing_failed', 'audit_log_rolled_back', 'payment_merchant_fan_in', 'grant_tracking_evicted', 'payment_pin_staff_takeover', 'payment_pin_spray', 'payment_subsidy_large', 'payout_payee_collusion', 'payee_account_takeover'));

comment on column security_alert.kind is 'What happened: read_quota_exceeded (an operator read beyond their quota), audit_signing_failed (signing or witnessing audit tree heads failed; raised once per failing streak), audit_log_rolled_back (at start, the audit log was shorter than a head in the witness file), payment_merchant_fan_in (many distinct wallets paid one merchant account within minutes; details name the ledger account, counts and the window, never a person), grant_tracking_evicted (the requests whose grants the gate remembers reached their cap and the oldest were forgotten: a refusal after their grants would not be audited; details count them, at most one alert a minute per process), payment_pin_staff_takeover (one staff account set a person''s payment PIN and printed them a sign-in code or issued them a card within the window, or changed their phone before a PIN was set; the operator is named, the person is not), payment_pin_spray (one merchant''s counter typed wrong PINs for many distinct cards within the window; details name the merchant and counts), payment_subsidy_large (a program paid a share of a merchant price beyond the bound; details name the merchant, the program, the request and the amounts, never the payer), payout_payee_collusion (one staff account set or approved payee accounts and made or approved a payout batch paying those same persons within the window; details name the batch, the roles and a count, never a person), payee_account_takeover (a person''s payee account was set within the phone-change window after a staff account changed the phone on file; the operator who changed the phone is named, the person is not).';
