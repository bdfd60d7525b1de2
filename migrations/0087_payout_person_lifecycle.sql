-- A payout's person dies, is merged away or is erased (issue #16, point 7): payments voids what
-- was not yet sent to the bank and flags what was (src/modules/payments/payouts/payout-lifecycle.ts,
-- a subscriber of the registry's lifecycle events, in the registry write's transaction).
--
-- "Sent" is the first download of the batch's pain.001 file: from then on the bank may execute
-- a payment whatever Amparo decides, so such a payment is not voided but listed for the finance
-- officer to reconcile (payout_flag). A payment not yet sent is cancelled: its reservation voided
-- in the ledger, its entitlement's claim released, and it is left out of the file, whose SHA-256
-- is then taken again at the next download.

alter table payout_batch add column sent_at timestamptz;
comment on column payout_batch.sent_at is 'When the pain.001 file was first downloaded for the bank: from then on its payments may be executed, so none is cancelled any more (a person''s death, merge or erasure flags them instead). Null while it has not left Amparo.';
comment on column payout_batch.file_sha256 is 'SHA-256 of the file as written and validated against the official schema; the download is checked against it. Null while preparing, and after a payment of a batch not yet sent was cancelled (the next download writes, validates and keeps it again).';
grant update (sent_at) on payout_batch to amparo_app;
-- Whether a batch made before this migration was downloaded is not recorded: each one whose file
-- exists counts as sent, so its payments are flagged, never cancelled behind the bank's back.
update payout_batch set sent_at = created_at where status = 'ready' and file_sha256 is not null;

alter table payout_instruction drop constraint payout_instruction_status_check;
alter table payout_instruction add constraint payout_instruction_status_check check (
  status in ('pending', 'refused', 'accepted', 'rejected', 'settled', 'returned', 'cancelled')
);
comment on column payout_instruction.status is 'pending (reserved), refused (the ledger refused the reservation; not in the file), accepted (pain.002 accepted: posted), rejected (pain.002 rejected: voided), settled (the statement shows it paid), returned (the bank gave it back: in suspense), cancelled (its person died, was merged away or erased before the file was sent: voided, not in the file).';

-- Each death, merge and erasure asks for the person's live payouts: without this index every one
-- would read the whole instruction table.
create index payout_instruction_live_person on payout_instruction (person_id)
  where status in ('pending', 'accepted');

create table payout_flag (
  instruction_id uuid primary key references payout_instruction (id),
  reason text not null check (reason in ('death', 'merge', 'erasure')),
  status_when_flagged text not null,
  flagged_at timestamptz not null default now()
);
comment on table payout_flag is 'A payment already sent to the bank whose person then died, was merged away or was erased: the bank may still execute it, so it is not voided but listed for the finance officer, who reconciles it from the bank''s answers (GET /api/payouts/flagged). Append-only.';
comment on column payout_flag.instruction_id is 'The payment (payout instruction).';
comment on column payout_flag.reason is 'death, merge or erasure: the registry event that reached payments.';
comment on column payout_flag.status_when_flagged is 'The payment''s status at that moment (pending or accepted).';
comment on column payout_flag.flagged_at is 'When it was flagged.';

grant select, insert on payout_flag to amparo_app;
