-- Payout batches for the console (issue #16): a finance officer lists the batches, opens one, and
-- may cancel one that has not left Amparo — typically a batch whose creation was interrupted
-- (status preparing, some payments reserved, some not) and that they would rather make again than
-- resume. Cancelling voids every reservation still pending in the ledger and cancels each payment,
-- which releases its entitlement's claim, so a new batch (or a disbursement into wallets) may pay
-- it once (src/modules/payments/payouts/batch-canceller.ts). A batch whose file was downloaded is
-- never cancelled: the bank may execute it, and its answers settle it.

alter table payout_batch drop constraint payout_batch_status_check;
alter table payout_batch add constraint payout_batch_status_check check (
  status in ('preparing', 'ready', 'cancelled')
);
alter table payout_batch add column cancelled_at timestamptz;
alter table payout_batch add column cancelled_by uuid;
alter table payout_batch add constraint payout_batch_cancelled_when check (
  (status = 'cancelled') = (cancelled_at is not null)
);
comment on column payout_batch.status is 'preparing while the pending transfers are written, ready when the file can be downloaded, cancelled when a finance officer cancelled it before its file was sent (every reservation voided, every payment cancelled).';
comment on column payout_batch.cancelled_at is 'When the batch was cancelled; null unless cancelled.';
comment on column payout_batch.cancelled_by is 'Operator who cancelled the batch; null for a job.';
grant update (status, file_sha256, cancelled_at, cancelled_by) on payout_batch to amparo_app;

-- The cycle of each payment's entitlement, kept when the batch is written, so the console can
-- say which cycles a batch pays without reading the programs module's tables. Null for
-- batches written before this migration.
alter table payout_instruction add column cycle_id uuid;
comment on column payout_instruction.cycle_id is 'The cycle of the entitlement paid (as the programs module answered when the batch was written); null for batches written before migration 0104.';
comment on column payout_instruction.status_reason is 'The bank''s reason code (e.g. AC04), the ledger''s refusal, or why it was cancelled (person_death, person_merge, person_erasure, batch_cancelled).';

-- The console lists batches newest first.
create index payout_batch_newest on payout_batch (created_at desc, id);
