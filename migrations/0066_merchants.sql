-- Merchant payments (issue #16, point 5): merchants, their staff, the programs that subsidise
-- their prices, signed payment requests, the payer's PIN, payments and refunds. The money is in
-- the ledger (a merchant's account is derived from its id, src/modules/payments/accounts); these
-- tables hold what the ledger must not know.

-- A merchant's staff act under the role `merchant`, scoped to the merchants they are staff of
-- (docs/ACCESS.md, scope `merchant`).
alter table operator drop constraint operator_roles_check;
alter table operator add constraint operator_roles_check check (
  roles <@ array['enrolment_clerk', 'registry_supervisor', 'program_officer', 'program_supervisor', 'distribution_operator', 'auditor', 'statistics_analyst', 'administrator', 'finance_officer', 'merchant']
);
comment on column operator.roles is 'Roles held: enrolment_clerk, registry_supervisor, program_officer, program_supervisor, distribution_operator, auditor, statistics_analyst, administrator, finance_officer, merchant.';
alter table operator_change drop constraint operator_change_add_roles_check;
alter table operator_change add constraint operator_change_add_roles_check check (
  add_roles <@ array['enrolment_clerk', 'registry_supervisor', 'program_officer', 'program_supervisor', 'distribution_operator', 'auditor', 'statistics_analyst', 'administrator', 'finance_officer', 'merchant']
);

create table merchant (
  id uuid primary key,
  name text not null check (char_length(name) between 1 and 70),
  state_code text not null check (state_code ~ '^VE-[A-Z]$'),
  currency text not null check (currency in ('VES', 'USD')),
  settlement_bank_code text not null check (settlement_bank_code ~ '^[0-9]{4}$'),
  settlement_holder_kind text not null check (settlement_holder_kind in ('person', 'organisation')),
  settlement_account_clear text check (settlement_account_clear ~ '^[0-9]{20}$'),
  settlement_account_sealed bytea,
  registered_by uuid not null,
  registered_at timestamptz not null default now(),
  check (
    (settlement_holder_kind = 'person' and settlement_account_sealed is not null and settlement_account_clear is null)
    or (settlement_holder_kind = 'organisation' and settlement_account_clear is not null and settlement_account_sealed is null)
  )
);
comment on table merchant is 'A registered merchant (shop, pharmacy, fuel station) that is paid from wallets and settled daily to its bank account. Never deleted.';
comment on column merchant.id is 'Merchant id; its ledger account id derives from it.';
comment on column merchant.name is 'Trading name, shown to payers and written as creditor name in the settlement file.';
comment on column merchant.state_code is 'ISO 3166-2:VE state where the merchant trades.';
comment on column merchant.currency is 'Currency the merchant is paid and settled in (ISO 4217).';
comment on column merchant.settlement_bank_code is 'Venezuelan bank code (4 digits) of the settlement account.';
comment on column merchant.settlement_holder_kind is 'person when the account belongs to a natural person (a sole trader): then the account number is sealed; organisation otherwise.';
comment on column merchant.settlement_account_clear is 'The 20-digit account number of an organisation''s settlement account.';
comment on column merchant.settlement_account_sealed is 'The account number of a person''s settlement account, sealed under the master key (AES-256-GCM, associated data merchant|settlement_account|id).';
comment on column merchant.registered_by is 'Finance officer who registered the merchant.';
comment on column merchant.registered_at is 'When it was registered.';

create table merchant_staff (
  merchant_id uuid not null references merchant (id),
  operator_id uuid not null references operator (id),
  added_at timestamptz not null default now(),
  primary key (merchant_id, operator_id)
);
comment on table merchant_staff is 'Operators who act for a merchant under the role merchant (scope merchant): request payments, see incoming payments and settlements, refund.';
comment on column merchant_staff.merchant_id is 'The merchant.';
comment on column merchant_staff.operator_id is 'The operator account acting for it.';
comment on column merchant_staff.added_at is 'When the operator was made staff.';

create table merchant_subsidy (
  merchant_id uuid not null references merchant (id),
  program_id uuid not null,
  share_basis_points integer not null check (share_basis_points between 1 and 10000),
  added_at timestamptz not null default now(),
  primary key (merchant_id, program_id)
);
comment on table merchant_subsidy is 'Programs that pay a share of a subsidised price at a merchant, from their funding account, in the same linked ledger transfer as the payer.';
comment on column merchant_subsidy.merchant_id is 'The merchant.';
comment on column merchant_subsidy.program_id is 'The program (programs module) that pays the share; the payer must hold an open entitlement of it.';
comment on column merchant_subsidy.share_basis_points is 'The program''s share of the price, in hundredths of a percent (rounded down to the minor unit).';
comment on column merchant_subsidy.added_at is 'When the subsidy was recorded.';

create table payment_request (
  id uuid primary key,
  merchant_id uuid not null references merchant (id),
  amount_minor bigint not null check (amount_minor > 0),
  currency text not null check (currency in ('VES', 'USD')),
  reference text not null check (char_length(reference) between 1 and 35),
  program_id uuid,
  expires_at timestamptz not null,
  created_by uuid not null,
  created_at timestamptz not null default now()
);
create index payment_request_merchant on payment_request (merchant_id, created_at);
comment on table payment_request is 'A payment a merchant asks for, shown as a signed QR (payments/merchants/payment-request-token.ts). Paid at most once: the ledger transfer ids derive from its id. Append-only.';
comment on column payment_request.id is 'Request id, inside the signed token.';
comment on column payment_request.merchant_id is 'The merchant to be paid.';
comment on column payment_request.amount_minor is 'The full price, in minor units.';
comment on column payment_request.currency is 'The merchant''s currency.';
comment on column payment_request.reference is 'The merchant''s own reference (ticket number), at most 35 characters.';
comment on column payment_request.program_id is 'The program whose subsidy applies (merchant_subsidy), or null for an unsubsidised price.';
comment on column payment_request.expires_at is 'After this instant the request cannot be paid.';
comment on column payment_request.created_by is 'Staff operator who made the request.';
comment on column payment_request.created_at is 'When it was made.';

create table payment_pin (
  person_id uuid primary key,
  pin_hash text not null,
  failed_attempts integer not null default 0 check (failed_attempts between 0 and 5),
  locked_at timestamptz,
  set_at timestamptz not null default now()
);
comment on table payment_pin is 'The PIN a person sets to pay from their wallet (argon2id hash). Five wrong tries in a row lock it; a clerk at the counter sets a new one (payment.pin_set).';
comment on column payment_pin.person_id is 'The person (registry id).';
comment on column payment_pin.pin_hash is 'argon2id hash of the PIN (PHC string).';
comment on column payment_pin.failed_attempts is 'Wrong tries since the PIN was last right or set.';
comment on column payment_pin.locked_at is 'When the fifth wrong try locked it; null while usable.';
comment on column payment_pin.set_at is 'When the PIN was last set.';

create table merchant_payment (
  request_id uuid primary key references payment_request (id),
  merchant_id uuid not null references merchant (id),
  payer_person_id uuid not null,
  channel text not null check (channel in ('wallet', 'counter')),
  currency text not null check (currency in ('VES', 'USD')),
  amount_minor bigint not null check (amount_minor > 0),
  payer_minor bigint not null check (payer_minor >= 0),
  subsidy_minor bigint not null check (subsidy_minor >= 0),
  program_id uuid,
  payer_transfer_id uuid,
  subsidy_transfer_id uuid,
  paid_at timestamptz not null default now(),
  check (payer_minor + subsidy_minor = amount_minor)
);
create index merchant_payment_merchant on merchant_payment (merchant_id, paid_at);
create index merchant_payment_payer on merchant_payment (payer_person_id, paid_at);
comment on table merchant_payment is 'A paid payment request: who paid (the payer''s person id, never shown to the merchant), how, and the split. Written after the ledger posted its linked transfers. Append-only.';
comment on column merchant_payment.request_id is 'The payment request paid (once).';
comment on column merchant_payment.merchant_id is 'The merchant paid.';
comment on column merchant_payment.payer_person_id is 'The person whose wallet paid.';
comment on column merchant_payment.channel is 'wallet (the payment app) or counter (the card''s QR and the PIN on the merchant''s device).';
comment on column merchant_payment.currency is 'The currency.';
comment on column merchant_payment.amount_minor is 'The full price.';
comment on column merchant_payment.payer_minor is 'What the payer''s wallet paid.';
comment on column merchant_payment.subsidy_minor is 'What the program''s funding account paid.';
comment on column merchant_payment.program_id is 'The subsidising program, or null.';
comment on column merchant_payment.payer_transfer_id is 'Ledger transfer wallet → merchant, or null when the program paid everything.';
comment on column merchant_payment.subsidy_transfer_id is 'Ledger transfer funding → merchant, or null without a subsidy.';
comment on column merchant_payment.paid_at is 'When it was paid.';

create table merchant_refund (
  request_id uuid primary key references merchant_payment (request_id),
  refund_id uuid not null unique,
  refunded_by uuid not null,
  refunded_at timestamptz not null default now()
);
comment on table merchant_refund is 'A payment refunded in full by new ledger transfers (merchant → wallet, merchant → funding), at most once. Append-only.';
comment on column merchant_refund.request_id is 'The payment refunded.';
comment on column merchant_refund.refund_id is 'The client''s id of the refund; its ledger transfer ids derive from it.';
comment on column merchant_refund.refunded_by is 'Staff operator who refunded.';
comment on column merchant_refund.refunded_at is 'When.';

grant select, insert on merchant, merchant_staff, merchant_subsidy, payment_request, payment_pin,
  merchant_payment, merchant_refund to amparo_app;
grant update (pin_hash, failed_attempts, locked_at, set_at) on payment_pin to amparo_app;
