-- Two-person approval of money leaving Amparo (the review of session 13). One finance officer
-- could create a payout batch naming any creditor account and download its pain.001 alone, and
-- register a merchant (its settlement account, staff and subsidy shares) alone. Now a second
-- finance officer approves:
--   * a payout batch before its pain.001 can be downloaded. The approver sees every payment
--     whose creditor account differs from the account the person was last paid to (or who was
--     never paid by bank before) and must confirm each by its end-to-end id
--     (src/modules/payments/payouts/batch-approver.ts);
--   * a merchant's registration before the merchant can make a payment request or be paid
--     (src/modules/payments/merchants/merchant-approver.ts). A merchant's settlement account and
--     subsidy shares cannot be changed after registration (no route does): a new registration
--     is approved again. Merchants registered before this migration must be approved too.
-- The database refuses the maker as approver.

alter table payout_batch add column approved_by uuid;
alter table payout_batch add column approved_at timestamptz;
alter table payout_batch add column payee_changes_confirmed integer;
alter table payout_batch add constraint payout_batch_approved_whole check (
  (approved_by is null) = (approved_at is null) and (approved_at is null) = (payee_changes_confirmed is null)
);
alter table payout_batch add constraint payout_batch_approver_not_maker check (
  approved_by is distinct from created_by or approved_by is null
);
comment on column payout_batch.approved_by is 'The second finance officer who approved the batch (never its maker); its pain.001 is downloaded only once approved. Null until then.';
comment on column payout_batch.approved_at is 'When the batch was approved; null until then.';
comment on column payout_batch.payee_changes_confirmed is 'How many payments to an account other than the person''s last paid one (or to a person never paid by bank) the approver confirmed one by one; null until approved.';
grant update (approved_by, approved_at, payee_changes_confirmed) on payout_batch to amparo_app;

alter table merchant add column approved_by uuid;
alter table merchant add column approved_at timestamptz;
alter table merchant add constraint merchant_approved_whole check ((approved_by is null) = (approved_at is null));
alter table merchant add constraint merchant_approver_not_registrar check (approved_by is null or approved_by <> registered_by);
comment on column merchant.approved_by is 'The second finance officer who approved the registration (never its registrar); until then the merchant makes no payment request and is paid nothing.';
comment on column merchant.approved_at is 'When the registration was approved; null until then.';
grant update (approved_by, approved_at) on merchant to amparo_app;
