-- Manual adjustments with two people (issue #16, point 7): a finance officer proposes moving
-- money between two ledger accounts with a reason; another finance officer approves or rejects
-- it; only an approved adjustment becomes a ledger transfer (its id derived from the
-- adjustment's, so it is written once). The balance of a frozen wallet (death, merge, erasure)
-- is moved the same way: to the survivor's wallet after a merge, to the estate account of the
-- currency after a death or an erasure (src/modules/payments/README.md).

create table payment_adjustment (
  id uuid primary key,
  kind text not null check (kind in ('manual', 'frozen_balance')),
  debit_account_id uuid not null,
  credit_account_id uuid not null check (credit_account_id <> debit_account_id),
  currency text not null check (currency in ('VES', 'USD')),
  amount_minor bigint not null check (amount_minor > 0),
  reason_code text not null check (reason_code in ('correction', 'reversal', 'suspense_resolution', 'frozen_merge', 'frozen_death', 'frozen_erasure', 'other')),
  note text not null check (length(note) between 1 and 500),
  person_id uuid,
  proposed_by uuid not null,
  proposed_at timestamptz not null default now(),
  status text not null default 'proposed' check (status in ('proposed', 'approved', 'rejected', 'applied', 'failed')),
  decided_by uuid,
  decided_at timestamptz,
  transfer_id uuid,
  failure text,
  check (decided_by is null or decided_by <> proposed_by),
  check ((status = 'proposed') = (decided_by is null)),
  check ((kind = 'frozen_balance') = (person_id is not null))
);
create index payment_adjustment_status_idx on payment_adjustment (status, proposed_at);
comment on table payment_adjustment is 'A manual movement of money between two ledger accounts, proposed by one finance officer and decided by another (the database refuses the same person). Never removed.';
comment on column payment_adjustment.id is 'Adjustment id; the ledger transfer id derives from it.';
comment on column payment_adjustment.kind is 'manual, or frozen_balance (moving a frozen wallet''s balance by the documented process).';
comment on column payment_adjustment.debit_account_id is 'Ledger account the money leaves.';
comment on column payment_adjustment.credit_account_id is 'Ledger account the money reaches.';
comment on column payment_adjustment.currency is 'Currency of both accounts (ISO 4217).';
comment on column payment_adjustment.amount_minor is 'Amount, in minor units.';
comment on column payment_adjustment.reason_code is 'Why: correction, reversal, suspense_resolution, frozen_merge, frozen_death, frozen_erasure or other.';
comment on column payment_adjustment.note is 'The proposer''s explanation for the approver and the auditor (a reference, not personal data).';
comment on column payment_adjustment.person_id is 'For a frozen balance: the person whose frozen wallet is emptied.';
comment on column payment_adjustment.proposed_by is 'Finance officer who proposed it.';
comment on column payment_adjustment.proposed_at is 'When it was proposed.';
comment on column payment_adjustment.status is 'proposed, approved (being applied), rejected, applied (the ledger posted it) or failed (the ledger refused it; see failure).';
comment on column payment_adjustment.decided_by is 'The other finance officer who approved or rejected it.';
comment on column payment_adjustment.decided_at is 'When it was decided.';
comment on column payment_adjustment.transfer_id is 'The ledger transfer that applied it.';
comment on column payment_adjustment.failure is 'The ledger''s result code when it refused the transfer.';

grant select, insert on payment_adjustment to amparo_app;
grant update (status, decided_by, decided_at, transfer_id, failure) on payment_adjustment to amparo_app;

-- The survivor of a merge, so a merged-away wallet's balance can be moved to the survivor's.
alter table payment_wallet_freeze add column survivor_id uuid;
comment on column payment_wallet_freeze.survivor_id is 'For a merge: the record the person was merged into, whose wallet receives the frozen balance.';
