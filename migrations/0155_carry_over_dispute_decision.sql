-- A carry-over dispute decided (review of session 20). A late offline receipt (migration 0154)
-- whose carried quantity had already been handed out from the person's next entitlement leaves
-- an overlap (`carry_over_withdrawal.disputed`): both hand-overs left the shelf and each is
-- counted once, so the stock is exact and nothing is owed to the ledger. What is left to decide
-- is what the overlap is on record as. The distribution supervisor decides it once:
--   written_off  the overlap is a loss of the program: nothing is asked of the person;
--   returned     the person chose to bring part or all of it back: those units go back on the
--                point's shelf (a count correction in the stock ledger), the rest is written off.
-- Nothing is ever taken back from the person by Amparo (safeguard: nothing a person did decides
-- what they get); the decision only records what happened. Append-only: decided once.

create table carry_over_dispute_decision (
  receipt_id uuid not null,
  item text not null,
  point_id uuid not null references distribution_point (id),
  outcome text not null check (outcome in ('written_off', 'returned')),
  quantity_returned integer not null check (quantity_returned >= 0),
  quantity_written_off integer not null check (quantity_written_off >= 0),
  reason text not null check (char_length(reason) between 1 and 500),
  decided_by uuid not null,
  decided_at timestamptz not null,
  primary key (receipt_id, item),
  foreign key (receipt_id, item) references carry_over_withdrawal (receipt_id, item),
  check ((outcome = 'written_off') = (quantity_returned = 0)),
  check (quantity_returned + quantity_written_off > 0)
);
create index carry_over_dispute_decision_point_idx on carry_over_dispute_decision (point_id, decided_at);
comment on table carry_over_dispute_decision is 'A supervisor''s one decision on a carry-over dispute (a late offline receipt''s carried quantity handed out twice): written off, or brought back by the person of their own accord. Never takes anything from the person. Append-only.';
comment on column carry_over_dispute_decision.receipt_id is 'The late offline receipt of the dispute.';
comment on column carry_over_dispute_decision.item is 'The disputed basket item.';
comment on column carry_over_dispute_decision.point_id is 'The point the late receipt was synced at, whose supervisor decided.';
comment on column carry_over_dispute_decision.outcome is 'written_off (a loss, nothing asked of the person) or returned (the person brought some back).';
comment on column carry_over_dispute_decision.quantity_returned is 'Units the person brought back, put back on the point''s stock; 0 when written off.';
comment on column carry_over_dispute_decision.quantity_written_off is 'Units written off as a loss of the program; with quantity_returned, the dispute''s disputed units.';
comment on column carry_over_dispute_decision.reason is 'Why, in the supervisor''s words (1–500 characters).';
comment on column carry_over_dispute_decision.decided_by is 'The distribution supervisor who decided.';
comment on column carry_over_dispute_decision.decided_at is 'When.';

create trigger carry_over_dispute_decision_no_change before update or delete on carry_over_dispute_decision
  for each row execute function distribution_history_immutable();
create trigger carry_over_dispute_decision_no_truncate before truncate on carry_over_dispute_decision
  for each statement execute function distribution_history_immutable();

grant select, insert on carry_over_dispute_decision to amparo_app;
