-- A transfer has one outcome (issue #15, point 2): the receiving point's acceptance or refusal,
-- or the sending point's cancellation. Migration 0122 kept cancellations in a table of their own
-- (stock_transfer_cancellation) and the service made the two tables one decision with an advisory
-- lock on the transfer. Here a cancellation becomes what it is, an outcome: a
-- stock_transfer_outcome row with outcome = 'cancelled' and its reason, so the outcome's primary
-- key alone makes acceptance, refusal and cancellation exclusive and the lock is gone
-- (transfer-service.ts).
--
-- Existing cancellations move over as they were (who, reason, note, when; nothing received,
-- nothing short). The lock never let a transfer have both an outcome and a cancellation; if one
-- did, the insert below fails on the primary key and the migration stops rather than drop either.

alter table stock_transfer_outcome drop constraint stock_transfer_outcome_outcome_check;
alter table stock_transfer_outcome add constraint stock_transfer_outcome_outcome_check
  check (outcome in ('accepted', 'refused', 'cancelled'));
alter table stock_transfer_outcome add column cancel_reason text
  check (cancel_reason is null or cancel_reason in ('sent_in_error', 'wrong_point', 'wrong_quantity', 'not_dispatched'));
alter table stock_transfer_outcome add constraint stock_transfer_outcome_cancel_reason
  check ((outcome = 'cancelled') = (cancel_reason is not null));

insert into stock_transfer_outcome
  (transfer_id, outcome, quantity_received, shortfall, shortfall_reason, note, decided_by, decided_at, cancel_reason)
select transfer_id, 'cancelled', 0, 0, null, note, cancelled_by, cancelled_at, reason
  from stock_transfer_cancellation;

drop table stock_transfer_cancellation;

comment on table stock_transfer_outcome is 'A transfer''s one outcome: accepted (with what arrived) or refused by the receiving point (the goods went back to the sender), or cancelled by the sending point''s supervisor while in transit (the goods went back too).';
comment on column stock_transfer_outcome.transfer_id is 'The transfer; its primary key: a transfer is accepted, refused or cancelled once.';
comment on column stock_transfer_outcome.outcome is 'accepted, refused or cancelled.';
comment on column stock_transfer_outcome.quantity_received is 'Units the receiving point counted in (0 when refused or cancelled).';
comment on column stock_transfer_outcome.note is 'Free text the receiving point (or, for a cancellation, the sender''s supervisor) adds.';
comment on column stock_transfer_outcome.decided_by is 'Operator who decided: of the receiving point (or a supervisor) for an acceptance or refusal, the sending point''s supervisor for a cancellation.';
comment on column stock_transfer_outcome.cancel_reason is 'Why the sender cancelled: sent_in_error, wrong_point, wrong_quantity, not_dispatched (with a cancellation only).';
