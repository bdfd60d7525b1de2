-- The ledger (issue #16, point 1): double-entry accounts and transfers modelled on TigerBeetle
-- (docs/LEDGER.md has the field-by-field mapping). Money only: an account or a transfer names
-- what it belongs to or what caused it by an opaque 128-bit reference, never a person's data.
--
-- What the database itself refuses, whatever connects as the application:
-- * a transfer row is never changed or removed (trigger, for every role, and no UPDATE or
--   DELETE privilege);
-- * an account is never removed, and its currency, kind, flags and reference never change;
-- * no balance goes below zero, and an account whose flags say so never has more debits
--   than credits (or the reverse): the CHECK constraints hold on every commit;
-- * a pending transfer is posted or voided at most once (unique index over the applied
--   post and void transfers that name it).

create table ledger_account (
  id uuid primary key,
  currency text not null check (currency in ('VES', 'USD')),
  kind text not null check (kind in ('program_funding', 'beneficiary_wallet', 'merchant', 'settlement', 'suspense')),
  flags smallint not null default 0 check (flags in (0, 2, 4)),
  reference_id uuid,
  debits_pending bigint not null default 0 check (debits_pending >= 0),
  debits_posted bigint not null default 0 check (debits_posted >= 0),
  credits_pending bigint not null default 0 check (credits_pending >= 0),
  credits_posted bigint not null default 0 check (credits_posted >= 0),
  created_at timestamptz not null default now(),
  constraint ledger_account_debits_within_credits
    check (flags & 2 = 0 or debits_pending + debits_posted <= credits_posted),
  constraint ledger_account_credits_within_debits
    check (flags & 4 = 0 or credits_pending + credits_posted <= debits_posted)
);

comment on table ledger_account is 'A ledger account (TigerBeetle Account): its currency, kind, flags and the four running balances its applied transfers sum to.';
comment on column ledger_account.id is '128-bit account id (TigerBeetle id), chosen by the client.';
comment on column ledger_account.currency is 'ISO 4217 code (TigerBeetle ledger: its numeric code, VES 928, USD 840); a transfer moves one currency only.';
comment on column ledger_account.kind is 'program_funding, beneficiary_wallet, merchant, settlement (bank) or suspense (TigerBeetle code 1 to 5).';
comment on column ledger_account.flags is 'TigerBeetle account flags: 2 debits must not exceed credits, 4 credits must not exceed debits (never both).';
comment on column ledger_account.reference_id is 'Opaque id of what the account belongs to (a program, a wallet holder, a merchant), TigerBeetle user_data_128; the ledger never reads it.';
comment on column ledger_account.debits_pending is 'Sum of pending transfers debiting the account and not yet posted, voided or expired (minor units).';
comment on column ledger_account.debits_posted is 'Sum of posted transfers debiting the account (minor units).';
comment on column ledger_account.credits_pending is 'Sum of pending transfers crediting the account and not yet posted, voided or expired (minor units).';
comment on column ledger_account.credits_posted is 'Sum of posted transfers crediting the account (minor units).';
comment on column ledger_account.created_at is 'When the account was created (TigerBeetle timestamp).';

create table ledger_transfer (
  id uuid primary key,
  seq bigint generated always as identity unique,
  debit_account_id uuid not null,
  credit_account_id uuid not null,
  amount bigint not null check (amount >= 0),
  pending_id uuid,
  flags smallint not null check (flags in (0, 1, 2, 3, 4, 5, 8, 9)),
  timeout_seconds integer not null default 0 check (timeout_seconds >= 0),
  expires_at timestamptz,
  currency text not null check (currency in ('VES', 'USD')),
  reason text not null,
  reference_kind text,
  reference_id uuid,
  result text not null,
  created_at timestamptz not null,
  check ((flags & 12 = 0) = (pending_id is null)),
  check ((flags & 2 = 2 and timeout_seconds > 0) = (expires_at is not null)),
  check (flags & 2 = 2 or timeout_seconds = 0),
  check ((reference_kind is null) = (reference_id is null))
);
create index ledger_transfer_debit_idx on ledger_transfer (debit_account_id) where result = 'ok';
create index ledger_transfer_credit_idx on ledger_transfer (credit_account_id) where result = 'ok';
create unique index ledger_transfer_pending_resolved on ledger_transfer (pending_id)
  where result = 'ok' and pending_id is not null;
create index ledger_transfer_reference_idx on ledger_transfer (reference_id) where reference_id is not null;

comment on table ledger_transfer is 'Every transfer the ledger was asked to create, applied (result ok) or refused (the TigerBeetle result code, so a failed id stays failed). Never changed once written.';
comment on column ledger_transfer.id is '128-bit transfer id chosen by the client (TigerBeetle id): the idempotency key.';
comment on column ledger_transfer.seq is 'Order in which the ledger wrote the rows (with created_at, TigerBeetle timestamp).';
comment on column ledger_transfer.debit_account_id is 'Account debited; for a post or void, the pending transfer''s.';
comment on column ledger_transfer.credit_account_id is 'Account credited; for a post or void, the pending transfer''s.';
comment on column ledger_transfer.amount is 'Amount in minor units; for a post the amount posted, for a void the amount released.';
comment on column ledger_transfer.pending_id is 'For a post or void: the pending transfer it resolves (TigerBeetle pending_id).';
comment on column ledger_transfer.flags is 'TigerBeetle transfer flags: 1 linked, 2 pending, 4 post pending transfer, 8 void pending transfer.';
comment on column ledger_transfer.timeout_seconds is 'For a pending transfer: seconds after which it can no longer be posted (0: never).';
comment on column ledger_transfer.expires_at is 'created_at plus timeout_seconds, for a pending transfer with a timeout.';
comment on column ledger_transfer.currency is 'ISO 4217 code; both accounts hold it (TigerBeetle ledger).';
comment on column ledger_transfer.reason is 'Why the money moved: disbursement, payment, subsidy, refund, settlement, adjustment, funding, return, pending_expired (TigerBeetle code, docs/LEDGER.md).';
comment on column ledger_transfer.reference_kind is 'What caused the transfer: entitlement, payment_request, payout, batch, statement (TigerBeetle user_data_32).';
comment on column ledger_transfer.reference_id is 'Opaque id of what caused the transfer (TigerBeetle user_data_128).';
comment on column ledger_transfer.result is 'ok when applied; otherwise the TigerBeetle result code it was refused with.';
comment on column ledger_transfer.created_at is 'When the ledger applied or refused it.';

create function ledger_transfer_immutable() returns trigger
  language plpgsql
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  raise exception 'ledger transfers are never changed or removed; write a new transfer'
    using errcode = '42501';
end;
$$;
comment on function ledger_transfer_immutable() is 'Refuses every UPDATE, DELETE and TRUNCATE of ledger transfers, whoever asks.';

create trigger ledger_transfer_immutable before update or delete on ledger_transfer
  for each row execute function ledger_transfer_immutable();
create trigger ledger_transfer_no_truncate before truncate on ledger_transfer
  for each statement execute function ledger_transfer_immutable();

create function ledger_account_guard() returns trigger
  language plpgsql
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  if tg_op <> 'UPDATE' then
    raise exception 'ledger accounts are never removed' using errcode = '42501';
  end if;
  if new.id <> old.id or new.currency <> old.currency or new.kind <> old.kind
     or new.flags <> old.flags or new.reference_id is distinct from old.reference_id
     or new.created_at <> old.created_at then
    raise exception 'only the balances of a ledger account change' using errcode = '42501';
  end if;
  return new;
end;
$$;
comment on function ledger_account_guard() is 'Refuses removing a ledger account or changing anything but its balances, whoever asks.';

create trigger ledger_account_guard before update or delete on ledger_account
  for each row execute function ledger_account_guard();
create trigger ledger_account_no_truncate before truncate on ledger_account
  for each statement execute function ledger_account_guard();

grant select, insert on ledger_account, ledger_transfer to amparo_app;
grant update (debits_pending, debits_posted, credits_pending, credits_posted) on ledger_account to amparo_app;
