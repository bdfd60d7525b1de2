-- The sender takes back a transfer still in transit (issue #15, point 2): the sending point's
-- supervisor cancels it with a reason, and the goods return to the sender's stock as a
-- transfer_return movement (returned goods, as after a refusal, so the ledger, the
-- reconciliation's transferReturned and the statistics count them without a new kind).
--
-- A cancellation is, like an acceptance or a refusal, the transfer's one decision. The three are
-- written under one transaction-scoped advisory lock on the transfer (transfer-service.ts), which
-- checks for an outcome or a cancellation before writing: of a cancellation and an acceptance or
-- refusal racing, exactly one is recorded. The primary key keeps a cancellation once.
--
-- No foreign key to stock_transfer: that table is made by migration 0123, which a new database
-- applies after this one (migrations run in name order). The service writes a cancellation only
-- for a transfer it read in the same transaction.

create table stock_transfer_cancellation (
  transfer_id uuid primary key,
  reason text not null check (reason in ('sent_in_error', 'wrong_point', 'wrong_quantity', 'not_dispatched')),
  note text check (note is null or char_length(note) <= 500),
  cancelled_by uuid,
  cancelled_at timestamptz not null default now()
);
comment on table stock_transfer_cancellation is 'A transfer the sending point''s supervisor cancelled while it was in transit: the goods went back to the sender. Append-only; once per transfer.';
comment on column stock_transfer_cancellation.transfer_id is 'The transfer (stock_transfer.id); its primary key: a transfer is cancelled at most once.';
comment on column stock_transfer_cancellation.reason is 'Why: sent_in_error, wrong_point, wrong_quantity, not_dispatched.';
comment on column stock_transfer_cancellation.note is 'Free text the supervisor adds.';
comment on column stock_transfer_cancellation.cancelled_by is 'The supervisor (operator id) who cancelled.';
comment on column stock_transfer_cancellation.cancelled_at is 'When.';

create trigger stock_transfer_cancellation_immutable before update or delete on stock_transfer_cancellation
  for each row execute function distribution_history_immutable();
create trigger stock_transfer_cancellation_no_truncate before truncate on stock_transfer_cancellation
  for each statement execute function distribution_history_immutable();

grant select, insert on stock_transfer_cancellation to amparo_app;
