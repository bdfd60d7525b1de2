-- A late offline receipt withdraws what the cycle's close carried over (review 15, high). A
-- hand-over made offline before a cycle closed but synced after it now counts against the
-- entitlement as of then (docs/DISTRIBUTION.md, "Late receipts"); what the close carried of
-- that entitlement's carry-over items was computed without it, so the part the receipt took is
-- withdrawn: from the carry-over while it waits (`quantity_withdrawn`, so the person's next
-- entitlement takes in only the rest), or, once the next entitlement took it in, from that
-- entitlement's remaining balance — and what of it was handed out there meanwhile is recorded
-- as disputed, for the supervisor's review. Nothing is counted twice: the late receipt's goods
-- and the next cycle's both left the shelf, each counted once by its own redemption.

alter table entitlement_carry_over add column quantity_withdrawn integer not null default 0;
alter table entitlement_carry_over add constraint entitlement_carry_over_withdrawn_check
  check (quantity_withdrawn >= 0 and quantity_withdrawn <= quantity);
comment on column entitlement_carry_over.quantity_withdrawn is 'Units withdrawn by offline receipts made before the close and synced after it (carry_over_withdrawal); what carries is quantity - quantity_withdrawn.';
grant update (quantity_withdrawn) on entitlement_carry_over to amparo_app;

create table carry_over_withdrawal (
  receipt_id uuid not null references offline_receipt (id),
  item text not null check (item ~ '^[a-z][a-z0-9_]{0,39}$'),
  from_entitlement_id uuid not null,
  unit text not null check (char_length(unit) between 1 and 40),
  quantity integer not null check (quantity > 0),
  into_entitlement_id uuid references entitlement (id),
  taken_back integer not null check (taken_back >= 0),
  disputed integer not null check (disputed >= 0),
  recorded_at timestamptz not null,
  primary key (receipt_id, item),
  foreign key (from_entitlement_id, item) references entitlement_carry_over (from_entitlement_id, item),
  check (taken_back + disputed = case when into_entitlement_id is null then 0 else quantity end)
);
create index carry_over_withdrawal_disputed_idx on carry_over_withdrawal (into_entitlement_id)
  where disputed > 0;
comment on table carry_over_withdrawal is 'What a late offline receipt (made before its cycle closed, synced after) withdrew of the carry-over the close had written; append-only.';
comment on column carry_over_withdrawal.receipt_id is 'The late offline receipt.';
comment on column carry_over_withdrawal.item is 'The carried basket item.';
comment on column carry_over_withdrawal.from_entitlement_id is 'The entitlement of the closed cycle (the carry-over''s source).';
comment on column carry_over_withdrawal.unit is 'The item''s unit.';
comment on column carry_over_withdrawal.quantity is 'Units withdrawn from the carry-over.';
comment on column carry_over_withdrawal.into_entitlement_id is 'The next entitlement that had taken the carry-over in; null when it was still waiting.';
comment on column carry_over_withdrawal.taken_back is 'Units taken off that entitlement''s remaining balance.';
comment on column carry_over_withdrawal.disputed is 'Units already handed out from that entitlement: handed over twice, for the supervisor''s review.';
comment on column carry_over_withdrawal.recorded_at is 'When the sync withdrew them.';

create trigger carry_over_withdrawal_no_change before update or delete on carry_over_withdrawal
  for each row execute function distribution_history_immutable();
create trigger carry_over_withdrawal_no_truncate before truncate on carry_over_withdrawal
  for each statement execute function distribution_history_immutable();

grant select, insert on carry_over_withdrawal to amparo_app;
