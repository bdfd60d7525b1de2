-- A new payment PIN set in the app is held like one staff set without the texted code
-- (docs/PAYMENTS-PIN.md, "A new PIN after a change of phone is held"). A reviewer showed that one
-- enrolment clerk could put their own phone on a person's record, sign in with the code texted to
-- it, set the first PIN (none was asked for) and pay at once. Now:
--  * a PIN the person sets in the app while none was set, or any PIN set (in the app or by staff
--    with the texted code) within the configured window after a change of the phone on file, is
--    held for the hold (payment_pin.held_until, as before); payment_pin.hold_reason says why;
--  * every PIN set keeps the change of phone it followed (payment_pin_change.phone_changed_at and
--    phone_changed_by), for the auditors' takeover alert, which now names the operator who changed
--    the phone when a PIN is set after it.
-- No data is lost; a PIN held before this is held by staff (the only hold there was).

alter table payment_pin add column hold_reason text
  check (hold_reason in ('staff_two_person', 'first_pin', 'phone_changed'));
update payment_pin set hold_reason = 'staff_two_person' where held_until is not null;
alter table payment_pin add constraint payment_pin_held_has_reason_check
  check ((held_until is null) = (hold_reason is null));
comment on column payment_pin.held_until is 'A held PIN pays nothing before this (see hold_reason); null when not held.';
comment on column payment_pin.hold_reason is 'Why the PIN is held: staff_two_person (set by staff without the texted code), first_pin (the first PIN, set by the person in the app), phone_changed (set within the window after a change of the phone on file); null when not held.';
grant update (hold_reason) on payment_pin to amparo_app;

alter table payment_pin_change add column held_until timestamptz;
alter table payment_pin_change add column phone_changed_at timestamptz;
alter table payment_pin_change add column phone_changed_by uuid;
alter table payment_pin_change add constraint payment_pin_change_phone_check
  check (phone_changed_by is null or phone_changed_at is not null);
create index payment_pin_change_phone_idx on payment_pin_change (changed_at)
  where phone_changed_by is not null;
comment on column payment_pin_change.held_until is 'The PIN set pays nothing before this; null when it was not held.';
comment on column payment_pin_change.phone_changed_at is 'The latest change of the phone on file within the window before this PIN set (the version''s recorded_at); null when none.';
comment on column payment_pin_change.phone_changed_by is 'The operator who recorded that change of phone; null when none, or when a system job did.';
