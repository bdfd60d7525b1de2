-- Bank payouts (issue #16, point 4): cash entitlements paid into bank and mobile-money accounts
-- by an ISO 20022 pain.001.001.09 file, their status read from pain.002 and their settlement
-- and returns from camt.053, camt.054 and MT940 statements. The money is in the ledger: each
-- instruction reserves its amount from the program's funding account by a pending transfer
-- whose id derives from the instruction's (src/modules/payments/payouts/payout-ids.ts), which
-- the bank's answer posts or voids exactly once; a return or an unmatched movement is a new
-- transfer to or from the suspense account, listed in payout_suspense (the report).

create table payout_batch (
  id uuid primary key,
  client_id uuid not null unique,
  program_id uuid not null,
  currency text not null check (currency in ('VES', 'USD')),
  funding_account_id uuid not null,
  status text not null default 'preparing' check (status in ('preparing', 'ready')),
  message_id text not null unique check (length(message_id) between 1 and 35),
  payment_information_id text not null check (length(payment_information_id) between 1 and 35),
  requested_execution_date date not null,
  debtor_name text not null,
  debtor_account text not null check (debtor_account ~ '^[0-9]{20}$'),
  debtor_bank_code text check (debtor_bank_code ~ '^[0-9]{4}$'),
  debtor_bic text,
  payments_count integer not null check (payments_count > 0),
  amount_total_minor bigint not null check (amount_total_minor > 0),
  file_sha256 text,
  created_by uuid,
  created_at timestamptz not null default now()
);
comment on table payout_batch is 'One payout file (pain.001.001.09): one debtor bank account paying many creditors on one date in one currency from one program''s funding account.';
comment on column payout_batch.id is 'Batch id.';
comment on column payout_batch.client_id is 'The client''s idempotency key: the same key with the same batch answers the first result (and resumes a batch that was interrupted).';
comment on column payout_batch.program_id is 'The program whose funding account pays.';
comment on column payout_batch.currency is 'Currency of every payment of the file (ISO 4217).';
comment on column payout_batch.funding_account_id is 'The ledger account the pending transfers debit: the program''s funding account in that currency.';
comment on column payout_batch.status is 'preparing while the pending transfers are written, ready when the file can be downloaded.';
comment on column payout_batch.message_id is 'The file''s GrpHdr/MsgId; a pain.002 names the file by it.';
comment on column payout_batch.payment_information_id is 'The file''s PmtInf/PmtInfId.';
comment on column payout_batch.requested_execution_date is 'The day the bank is asked to pay.';
comment on column payout_batch.debtor_name is 'The paying organisation, as the bank knows it.';
comment on column payout_batch.debtor_account is 'The paying 20-digit account; statements of it are matched to this batch.';
comment on column payout_batch.debtor_bank_code is 'The paying bank''s four-digit code.';
comment on column payout_batch.debtor_bic is 'The paying bank''s BIC, when it has one.';
comment on column payout_batch.payments_count is 'Instructions in the batch.';
comment on column payout_batch.amount_total_minor is 'Their total, in minor units.';
comment on column payout_batch.file_sha256 is 'SHA-256 of the file as written and validated against the official schema; the download is checked against it.';
comment on column payout_batch.created_by is 'Operator who created the batch.';
comment on column payout_batch.created_at is 'When it was created; also the file''s CreDtTm.';

create table payout_instruction (
  id uuid primary key,
  batch_id uuid not null references payout_batch (id),
  seq integer not null check (seq >= 0),
  end_to_end_id text not null unique check (end_to_end_id ~ '^[A-Z0-9]{1,16}$'),
  reference_kind text not null check (reference_kind in ('entitlement', 'disbursement')),
  reference_id uuid not null,
  creditor_name text not null,
  creditor_national_id text,
  account_kind text not null check (account_kind in ('bank_account', 'mobile_money')),
  account_number text not null,
  bank_code text,
  bank_bic text,
  amount_minor bigint not null check (amount_minor > 0),
  remittance text,
  status text not null default 'pending' check (status in ('pending', 'refused', 'accepted', 'rejected', 'settled', 'returned')),
  status_reason text,
  updated_at timestamptz not null default now(),
  unique (batch_id, seq)
);
comment on table payout_instruction is 'One credit transfer of a payout file; its money is a pending ledger transfer from the funding account to settlement until the bank answers.';
comment on column payout_instruction.id is 'Instruction id; the ledger transfer ids derive from it.';
comment on column payout_instruction.batch_id is 'The batch (file) it belongs to.';
comment on column payout_instruction.seq is 'Its place in the file.';
comment on column payout_instruction.end_to_end_id is 'EndToEndId in the file: at most 16 characters so that an MT940 statement can carry it back.';
comment on column payout_instruction.reference_kind is 'What it pays: an entitlement or a disbursement (payments module).';
comment on column payout_instruction.reference_id is 'The id of what it pays.';
comment on column payout_instruction.creditor_name is 'The creditor''s name as the bank knows it (personal data: goes to the bank only).';
comment on column payout_instruction.creditor_national_id is 'The creditor''s cédula, which Pago Móvil needs (personal data).';
comment on column payout_instruction.account_kind is 'bank_account (20-digit account) or mobile_money (Pago Móvil phone number).';
comment on column payout_instruction.account_number is 'The 20-digit account or the +58 mobile number (personal data).';
comment on column payout_instruction.bank_code is 'The creditor bank''s four-digit code.';
comment on column payout_instruction.bank_bic is 'The creditor bank''s BIC, when given.';
comment on column payout_instruction.amount_minor is 'Amount, in minor units of the batch''s currency.';
comment on column payout_instruction.remittance is 'Text the creditor sees on their statement.';
comment on column payout_instruction.status is 'pending (reserved), refused (the ledger refused the reservation; not in the file), accepted (pain.002 accepted: posted), rejected (pain.002 rejected: voided), settled (the statement shows it paid), returned (the bank gave it back: in suspense).';
comment on column payout_instruction.status_reason is 'The bank''s reason code (e.g. AC04) or the ledger''s refusal.';
comment on column payout_instruction.updated_at is 'When the status last changed.';

create table payout_bank_file (
  id uuid primary key,
  sha256 text not null unique,
  format text not null check (format in ('pain.002', 'camt.053', 'camt.054', 'mt940')),
  message_id text not null,
  status text not null default 'applying' check (status in ('applying', 'applied')),
  summary jsonb,
  received_by uuid,
  received_at timestamptz not null default now(),
  applied_at timestamptz
);
comment on table payout_bank_file is 'A file received from the bank (status report or statement). The same file again (same SHA-256) changes nothing; one interrupted while applying is applied again, which the derived transfer ids make harmless.';
comment on column payout_bank_file.id is 'File id.';
comment on column payout_bank_file.sha256 is 'SHA-256 of the file''s bytes.';
comment on column payout_bank_file.format is 'pain.002, camt.053, camt.054 or mt940.';
comment on column payout_bank_file.message_id is 'The file''s message id (GrpHdr/MsgId or MT940 :20:).';
comment on column payout_bank_file.status is 'applying until every transfer it causes is written, then applied.';
comment on column payout_bank_file.summary is 'What it did: counts of payments accepted, rejected, settled, returned, moved to suspense, unchanged and refused by the ledger.';
comment on column payout_bank_file.received_by is 'Operator who uploaded it.';
comment on column payout_bank_file.received_at is 'When it was uploaded.';
comment on column payout_bank_file.applied_at is 'When it was applied.';

create table payout_suspense (
  id uuid primary key,
  bank_file_id uuid not null references payout_bank_file (id),
  location text not null,
  kind text not null check (kind in ('returned', 'unmatched_credit', 'unmatched_debit')),
  instruction_id uuid references payout_instruction (id),
  end_to_end_id text,
  bank_reference text,
  currency text not null check (currency in ('VES', 'USD')),
  amount_minor bigint not null check (amount_minor > 0),
  reason text,
  booking_date date,
  created_at timestamptz not null default now()
);
comment on table payout_suspense is 'Money in the suspense account and why: a payment the bank returned, or a statement movement matching no payout. The id is the ledger transfer''s, so each is moved once. Append-only: the suspense report.';
comment on column payout_suspense.id is 'The ledger transfer that moved the money to (or from) suspense.';
comment on column payout_suspense.bank_file_id is 'The file that reported it first.';
comment on column payout_suspense.location is 'Where in that file (XML path or MT940 line).';
comment on column payout_suspense.kind is 'returned, unmatched_credit (money in that matches no payout) or unmatched_debit (money out that matches no payout).';
comment on column payout_suspense.instruction_id is 'The returned payout, when it is one.';
comment on column payout_suspense.end_to_end_id is 'The end-to-end id the bank gave, if any.';
comment on column payout_suspense.bank_reference is 'The bank''s own reference of the movement, if any.';
comment on column payout_suspense.currency is 'Currency (ISO 4217).';
comment on column payout_suspense.amount_minor is 'Amount, in minor units.';
comment on column payout_suspense.reason is 'The bank''s return reason code (e.g. AC04), if any.';
comment on column payout_suspense.booking_date is 'The day the bank booked it.';
comment on column payout_suspense.created_at is 'When it was recorded.';

grant select, insert on payout_batch, payout_instruction, payout_bank_file, payout_suspense to amparo_app;
grant update (status, file_sha256) on payout_batch to amparo_app;
grant update (status, status_reason, updated_at) on payout_instruction to amparo_app;
grant update (status, summary, applied_at) on payout_bank_file to amparo_app;
