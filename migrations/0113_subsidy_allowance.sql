-- A program's share of a subsidised price is paid against an allowance (issue #16, point 5; the
-- review of session 13): a merchant could type any amount, and a payer holding any open
-- entitlement of the program had the program pay its share of it, as often as the merchant
-- asked. Now each payment's share is drawn from one of the payer's open entitlements of the
-- program, up to that entitlement's amount for its cycle; what was drawn is a row here, written
-- in the ledger transaction of the payment's transfers under a transaction-scoped advisory lock
-- on the entitlement (src/modules/payments/merchants/subsidy-allowance.ts), so two payments at
-- once cannot both spend the same allowance. Append-only: a row is the money that moved.

create table subsidy_allowance_use (
  request_id uuid primary key,
  entitlement_id uuid not null,
  program_id uuid not null,
  currency text not null check (currency in ('VES', 'USD')),
  subsidy_minor bigint not null check (subsidy_minor > 0),
  allowance_minor bigint not null check (allowance_minor > 0),
  used_at timestamptz not null default now(),
  check (subsidy_minor <= allowance_minor)
);
create index subsidy_allowance_use_entitlement on subsidy_allowance_use (entitlement_id);

comment on table subsidy_allowance_use is 'What a merchant payment drew on a payer''s entitlement to pay the program''s share of a subsidised price; the sum per entitlement never exceeds its allowance. Written in the ledger transaction of the payment''s transfers. Append-only.';
comment on column subsidy_allowance_use.request_id is 'The payment (its payment request id): one draw per payment.';
comment on column subsidy_allowance_use.entitlement_id is 'The payer''s entitlement drawn on (programs'' entitlement id).';
comment on column subsidy_allowance_use.program_id is 'The subsidising program.';
comment on column subsidy_allowance_use.currency is 'The currency of the share.';
comment on column subsidy_allowance_use.subsidy_minor is 'The program''s share paid, in minor units.';
comment on column subsidy_allowance_use.allowance_minor is 'The entitlement''s allowance for its cycle when drawn on (its amount), in minor units.';
comment on column subsidy_allowance_use.used_at is 'When the payment was made.';

grant select, insert on subsidy_allowance_use to amparo_app;

-- A program's share of a price beyond limits.payments.subsidyAlertMinor alerts auditors.
alter table security_alert drop constraint security_alert_kind_check;
alter table security_alert add constraint security_alert_kind_check
  check (kind in ('read_quota_exceeded', 'audit_signing_failed', 'audit_log_rolled_back', 'payment_merchant_fan_in', 'grant_tracking_evicted', 'payment_pin_staff_takeover', 'payment_pin_spray', 'payment_subsidy_large'));

comment on column security_alert.kind is 'What happened: read_quota_exceeded (an operator read beyond their quota), audit_signing_failed (signing or witnessing audit tree heads failed; raised once per failing streak), audit_log_rolled_back (at start, the audit log was shorter than a head in the witness file), payment_merchant_fan_in (many distinct wallets paid one merchant account within minutes; details name the ledger account, counts and the window, never a person), grant_tracking_evicted (the requests whose grants the gate remembers reached their cap and the oldest were forgotten: a refusal after their grants would not be audited; details count them, at most one alert a minute per process), payment_pin_staff_takeover (one staff account set a person''s payment PIN and printed them a sign-in code or issued them a card within the window; the operator is named, the person is not), payment_pin_spray (one merchant''s counter typed wrong PINs for many distinct cards within the window; details name the merchant and counts), payment_subsidy_large (a program paid a share of a merchant price beyond the bound; details name the merchant, the program, the request and the amounts, never the payer).';

-- A program pays strictly less than the whole price, so the payer's wallet is always debited
-- (and its daily limit applies). Rows written before this migration are not checked (NOT VALID);
-- the payer refuses a share of 100 % at payment time.
alter table merchant_subsidy add constraint merchant_subsidy_share_below_whole
  check (share_basis_points between 1 and 9999) not valid;
