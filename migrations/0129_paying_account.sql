-- The agency's paying (debtor) bank account, stored once instead of typed with every file
-- (payouts/README.md, "The paying account"): per program for its payout batches, per currency
-- for the daily merchant settlement. One row per change, never updated: the newest row of a
-- scope is the account in use, the rest is its history. An organisation's account, no person's.

create table paying_account (
  id uuid primary key,
  scope text not null check (scope in ('program', 'merchant_settlement')),
  scope_key text not null,
  version integer not null check (version >= 1),
  holder_name text not null check (length(holder_name) between 1 and 140),
  account_number text not null check (account_number ~ '^[0-9]{20}$'),
  bank_code text not null check (bank_code ~ '^[0-9]{4}$' and bank_code = substr(account_number, 1, 4)),
  bic text check (bic ~ '^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$'),
  set_by uuid not null,
  set_at timestamptz not null default now(),
  unique (scope, scope_key, version),
  check ((scope = 'program') = (scope_key ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')),
  check (scope <> 'merchant_settlement' or scope_key in ('VES', 'USD'))
);
comment on table paying_account is 'The paying (debtor) bank account of a program''s payout batches or of the daily merchant settlement in a currency; one row per change, the newest in use.';
comment on column paying_account.id is 'The change''s id.';
comment on column paying_account.scope is 'program (its payout batches) or merchant_settlement (the day''s settlement file of a currency).';
comment on column paying_account.scope_key is 'The program''s id, or the currency (VES, USD).';
comment on column paying_account.version is 'The change''s number within its scope, from 1: two changes at once cannot both be the newest.';
comment on column paying_account.holder_name is 'The account holder''s name as the bank has it (the file''s debtor and initiating party).';
comment on column paying_account.account_number is 'The 20-digit account that pays.';
comment on column paying_account.bank_code is 'Its four-digit bank code (the account''s first four digits).';
comment on column paying_account.bic is 'The bank''s BIC, when known.';
comment on column paying_account.set_by is 'The operator who set it (payment.paying_account_set, audited).';
comment on column paying_account.set_at is 'When it was set.';
grant select, insert on paying_account to amparo_app;
