-- Daily settlement of merchant balances (issue #16, point 5): each day a finance officer moves
-- every merchant's balance to the settlement (bank) account by one ledger transfer per merchant,
-- and downloads the pain.001.001.09 file that tells the agency's bank to pay them.

create table merchant_settlement_run (
  settlement_date date not null,
  currency text not null check (currency in ('VES', 'USD')),
  debtor_name text not null check (char_length(debtor_name) between 1 and 140),
  debtor_account text not null check (debtor_account ~ '^[0-9]{20}$'),
  debtor_bank_code text not null check (debtor_bank_code ~ '^[0-9]{4}$'),
  created_by uuid not null,
  created_at timestamptz not null default now(),
  primary key (settlement_date, currency)
);
comment on table merchant_settlement_run is 'One settlement of merchant balances per day and currency, and the agency account its payout file is paid from. Append-only.';
comment on column merchant_settlement_run.settlement_date is 'The business day settled (YYYY-MM-DD), also the requested execution date of the file.';
comment on column merchant_settlement_run.currency is 'The currency settled.';
comment on column merchant_settlement_run.debtor_name is 'The agency''s name as debtor of the file.';
comment on column merchant_settlement_run.debtor_account is 'The agency''s 20-digit account that pays the merchants (an organisation''s: not sealed).';
comment on column merchant_settlement_run.debtor_bank_code is 'Its bank code (4 digits).';
comment on column merchant_settlement_run.created_by is 'Finance officer who ran the settlement.';
comment on column merchant_settlement_run.created_at is 'When.';

create table merchant_settlement (
  settlement_date date not null,
  currency text not null check (currency in ('VES', 'USD')),
  merchant_id uuid not null references merchant (id),
  amount_minor bigint not null check (amount_minor > 0),
  payments integer not null check (payments >= 0),
  transfer_id uuid not null unique,
  created_at timestamptz not null default now(),
  primary key (settlement_date, currency, merchant_id),
  foreign key (settlement_date, currency) references merchant_settlement_run (settlement_date, currency)
);
create index merchant_settlement_merchant on merchant_settlement (merchant_id, settlement_date);
comment on table merchant_settlement is 'One merchant''s settlement of a day: its balance moved to the settlement account by one ledger transfer (id derived from merchant, day and currency, so a day is settled once). The merchant''s settlement statement. Append-only.';
comment on column merchant_settlement.settlement_date is 'The day settled.';
comment on column merchant_settlement.currency is 'The currency.';
comment on column merchant_settlement.merchant_id is 'The merchant paid.';
comment on column merchant_settlement.amount_minor is 'The balance settled, in minor units.';
comment on column merchant_settlement.payments is 'Payments (net of refunds) the merchant received since its previous settlement.';
comment on column merchant_settlement.transfer_id is 'The ledger transfer merchant → settlement account.';
comment on column merchant_settlement.created_at is 'When.';

grant select, insert on merchant_settlement_run, merchant_settlement to amparo_app;
