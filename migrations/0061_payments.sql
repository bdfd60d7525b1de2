-- Payments (issue #16, the cash-program side): the glue between programs and the ledger.
-- The ledger holds the money (ledger_account, ledger_transfer); these tables hold what the
-- ledger must not know: which wallets are frozen because their person died or was merged, and
-- how far a cycle's disbursement has gone (so a run that was killed resumes where it stopped).
--
-- A beneficiary's wallet is a ledger account whose id is derived from the person's id and the
-- currency (src/modules/payments/accounts/account-ids.ts); it is opened on its first credit.
-- A program's funding account is derived from the program's id and the currency.

-- A finance officer funds programs from the settlement (bank) account, starts disbursements and
-- reads wallets with a purpose (docs/ACCESS.md).
alter table operator drop constraint operator_roles_check;
alter table operator add constraint operator_roles_check check (
  roles <@ array['enrolment_clerk', 'registry_supervisor', 'program_officer', 'program_supervisor', 'distribution_operator', 'auditor', 'statistics_analyst', 'administrator', 'finance_officer']
);
comment on column operator.roles is 'Roles held: enrolment_clerk, registry_supervisor, program_officer, program_supervisor, distribution_operator, auditor, statistics_analyst, administrator, finance_officer.';
alter table operator_change drop constraint operator_change_add_roles_check;
alter table operator_change add constraint operator_change_add_roles_check check (
  add_roles <@ array['enrolment_clerk', 'registry_supervisor', 'program_officer', 'program_supervisor', 'distribution_operator', 'auditor', 'statistics_analyst', 'administrator', 'finance_officer']
);

create table payment_wallet_freeze (
  person_id uuid primary key,
  reason text not null check (reason in ('death', 'merge', 'erasure')),
  frozen_at timestamptz not null default now()
);
comment on table payment_wallet_freeze is 'Persons whose wallets are frozen (death, merge, erasure), written by the registry''s lifecycle events in the same transaction. A frozen wallet receives no disbursement and pays nothing; its balance is moved by the documented process (src/modules/payments/README.md). Never removed.';
comment on column payment_wallet_freeze.person_id is 'The person (registry id) whose wallets, in every currency, are frozen.';
comment on column payment_wallet_freeze.reason is 'death, merge (the merged-away record) or erasure.';
comment on column payment_wallet_freeze.frozen_at is 'When the lifecycle event froze the wallets.';

create table payment_disbursement (
  id uuid primary key,
  cycle_id uuid not null unique,
  program_id uuid not null,
  currency text not null check (currency in ('VES', 'USD')),
  funding_account_id uuid not null,
  status text not null default 'running' check (status in ('running', 'finished')),
  chunks_total integer not null check (chunks_total >= 0),
  chunks_done integer not null default 0 check (chunks_done >= 0 and chunks_done <= chunks_total),
  entitlements_total bigint not null check (entitlements_total >= 0),
  amount_total_minor bigint not null check (amount_total_minor >= 0),
  credited_count bigint not null default 0 check (credited_count >= 0),
  credited_minor bigint not null default 0 check (credited_minor >= 0),
  skipped_count bigint not null default 0 check (skipped_count >= 0),
  refused_count bigint not null default 0 check (refused_count >= 0),
  started_by uuid,
  started_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz
);
comment on table payment_disbursement is 'One disbursement per approved cash cycle: its entitlements become wallet credits, chunk by chunk; the figures say how far it went.';
comment on column payment_disbursement.id is 'Disbursement id.';
comment on column payment_disbursement.cycle_id is 'The program cycle (programs module) whose cash entitlements are paid; one disbursement each.';
comment on column payment_disbursement.program_id is 'The cycle''s program; its funding account pays.';
comment on column payment_disbursement.currency is 'The program version''s currency (ISO 4217).';
comment on column payment_disbursement.funding_account_id is 'The ledger account debited: the program''s funding account in that currency.';
comment on column payment_disbursement.status is 'running until every chunk is done, then finished.';
comment on column payment_disbursement.chunks_total is 'Chunks the open cash entitlements were cut into when the disbursement started.';
comment on column payment_disbursement.chunks_done is 'Chunks whose transfers the ledger committed and whose figures are counted.';
comment on column payment_disbursement.entitlements_total is 'Open cash entitlements of the cycle when the disbursement started.';
comment on column payment_disbursement.amount_total_minor is 'Their total, in minor units.';
comment on column payment_disbursement.credited_count is 'Entitlements credited to a wallet (each exactly once: the transfer id derives from the entitlement id).';
comment on column payment_disbursement.credited_minor is 'Money credited, in minor units.';
comment on column payment_disbursement.skipped_count is 'Entitlements not paid because the person''s wallet is frozen or the entitlement ended meanwhile.';
comment on column payment_disbursement.refused_count is 'Transfers the ledger refused (e.g. the funding account ran short); each refusal is in ledger_transfer.';
comment on column payment_disbursement.started_by is 'Operator who started it; null when started from the command line.';
comment on column payment_disbursement.started_at is 'When it started.';
comment on column payment_disbursement.updated_at is 'When a chunk last finished.';
comment on column payment_disbursement.finished_at is 'When the last chunk finished.';

create table payment_disbursement_chunk (
  disbursement_id uuid not null references payment_disbursement (id),
  chunk integer not null check (chunk >= 0),
  first_entitlement_id uuid not null,
  last_entitlement_id uuid not null,
  status text not null default 'pending' check (status in ('pending', 'done')),
  credited_count integer not null default 0,
  credited_minor bigint not null default 0,
  skipped_count integer not null default 0,
  refused_count integer not null default 0,
  done_at timestamptz,
  primary key (disbursement_id, chunk),
  check (first_entitlement_id <= last_entitlement_id)
);
comment on table payment_disbursement_chunk is 'A disbursement cut into ranges of entitlement ids; a run (or a resumed run) pays the pending ones. A chunk paid again after a crash is replayed by the ledger (same transfer ids), never paid twice.';
comment on column payment_disbursement_chunk.disbursement_id is 'The disbursement the chunk belongs to.';
comment on column payment_disbursement_chunk.chunk is 'Position of the chunk, from 0.';
comment on column payment_disbursement_chunk.first_entitlement_id is 'First entitlement id of the range (inclusive).';
comment on column payment_disbursement_chunk.last_entitlement_id is 'Last entitlement id of the range (inclusive).';
comment on column payment_disbursement_chunk.status is 'pending until its transfers are committed and counted, then done.';
comment on column payment_disbursement_chunk.credited_count is 'Entitlements of the chunk credited.';
comment on column payment_disbursement_chunk.credited_minor is 'Money the chunk credited, in minor units.';
comment on column payment_disbursement_chunk.skipped_count is 'Entitlements of the chunk skipped (frozen wallet, ended entitlement).';
comment on column payment_disbursement_chunk.refused_count is 'Transfers of the chunk the ledger refused.';
comment on column payment_disbursement_chunk.done_at is 'When the chunk was counted.';

grant select, insert on payment_wallet_freeze, payment_disbursement, payment_disbursement_chunk to amparo_app;
grant update (status, chunks_done, credited_count, credited_minor, skipped_count, refused_count, updated_at, finished_at)
  on payment_disbursement to amparo_app;
grant update (status, credited_count, credited_minor, skipped_count, refused_count, done_at)
  on payment_disbursement_chunk to amparo_app;
