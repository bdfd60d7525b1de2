-- A transfer between points is a pending movement the receiving point confirms (issue #15,
-- point 2). Before, a transfer moved the stock into the receiving point at once and only the
-- sender's act was audited: stock could be pushed into any point. Now the sender's transfer_out
-- takes the goods off its stock (they have left: they are in transit, seen by both points) and
-- the receiving point decides, once: it accepts with the quantity it received (a transfer_in of
-- that quantity; a shortfall is recorded with its reason), or it refuses and the goods go back to
-- the sender (a transfer_return). Both tables are append-only; the outcome's primary key is what
-- makes a second decision on the same transfer impossible, whatever two requests race.

create table stock_transfer (
  id uuid primary key,
  from_point_id uuid not null references distribution_point (id),
  to_point_id uuid not null references distribution_point (id),
  item text not null check (item ~ '^[a-z][a-z0-9_]{0,39}$'),
  quantity_sent integer not null check (quantity_sent > 0),
  sent_by uuid,
  sent_at timestamptz not null default now(),
  check (from_point_id <> to_point_id)
);
create index stock_transfer_from_idx on stock_transfer (from_point_id, sent_at);
create index stock_transfer_to_idx on stock_transfer (to_point_id, sent_at);
comment on table stock_transfer is 'Stock sent from one point to another; in transit until the receiving point accepts or refuses it (stock_transfer_outcome).';
comment on column stock_transfer.id is 'Database key (UUID); the transfer_id of its stock movements.';
comment on column stock_transfer.from_point_id is 'The sending point (its transfer_out movement took the goods off its stock).';
comment on column stock_transfer.to_point_id is 'The receiving point, which alone accepts or refuses.';
comment on column stock_transfer.item is 'The item.';
comment on column stock_transfer.quantity_sent is 'Whole units that left the sender.';
comment on column stock_transfer.sent_by is 'Operator who recorded the sending.';
comment on column stock_transfer.sent_at is 'When.';

create table stock_transfer_outcome (
  transfer_id uuid primary key references stock_transfer (id),
  outcome text not null check (outcome in ('accepted', 'refused')),
  quantity_received integer not null check (quantity_received >= 0),
  shortfall integer not null check (shortfall >= 0),
  shortfall_reason text check (shortfall_reason is null or shortfall_reason in ('loss', 'damage', 'count_correction')),
  note text check (note is null or char_length(note) <= 500),
  decided_by uuid,
  decided_at timestamptz not null default now(),
  check (outcome = 'accepted' or (quantity_received = 0 and shortfall = 0)),
  check ((shortfall > 0) = (shortfall_reason is not null))
);
comment on table stock_transfer_outcome is 'The receiving point''s one decision on a transfer: accepted (with what arrived) or refused (the goods went back to the sender).';
comment on column stock_transfer_outcome.transfer_id is 'The transfer; its primary key: a transfer is decided once.';
comment on column stock_transfer_outcome.outcome is 'accepted or refused.';
comment on column stock_transfer_outcome.quantity_received is 'Units the receiving point counted in (0 when refused).';
comment on column stock_transfer_outcome.shortfall is 'Units sent that did not arrive: a discrepancy, recorded with its reason.';
comment on column stock_transfer_outcome.shortfall_reason is 'Why units did not arrive: loss, damage, count_correction (required with a shortfall).';
comment on column stock_transfer_outcome.note is 'Free text the receiving point adds.';
comment on column stock_transfer_outcome.decided_by is 'Operator of the receiving point (or supervisor) who decided.';
comment on column stock_transfer_outcome.decided_at is 'When.';

create trigger stock_transfer_immutable before update or delete on stock_transfer
  for each row execute function distribution_history_immutable();
create trigger stock_transfer_no_truncate before truncate on stock_transfer
  for each statement execute function distribution_history_immutable();
create trigger stock_transfer_outcome_immutable before update or delete on stock_transfer_outcome
  for each row execute function distribution_history_immutable();
create trigger stock_transfer_outcome_no_truncate before truncate on stock_transfer_outcome
  for each statement execute function distribution_history_immutable();

grant select, insert on stock_transfer, stock_transfer_outcome to amparo_app;

-- A refused transfer's goods come back to the sender as their own kind of movement, so that
-- neither the ledger nor the statistics read a return as stock received from another point.
do $$
declare
  old_check record;
begin
  for old_check in
    select conname from pg_constraint
     where conrelid = 'stock_movement'::regclass and contype = 'c'
       and pg_get_constraintdef(oid) like '%transfer_in%'
  loop
    execute format('alter table stock_movement drop constraint %I', old_check.conname);
  end loop;
end
$$;
alter table stock_movement add constraint stock_movement_kind_known
  check (kind in ('delivery', 'redemption', 'transfer_out', 'transfer_in', 'transfer_return', 'adjustment'));
alter table stock_movement add constraint stock_movement_transfer_paired
  check ((kind in ('transfer_out', 'transfer_in', 'transfer_return')) = (transfer_id is not null));
alter table stock_movement add constraint stock_movement_in_positive
  check (kind not in ('delivery', 'transfer_in', 'transfer_return') or quantity_delta > 0);
comment on column stock_movement.kind is 'delivery, redemption, transfer_out (sent: in transit), transfer_in (accepted by the receiver), transfer_return (refused: back to the sender) or adjustment.';

-- Transfers made before this migration moved in at once: each becomes a transfer accepted in full
-- by its receiver at the moment it was sent, so none of them shows as in transit.
insert into stock_transfer (id, from_point_id, to_point_id, item, quantity_sent, sent_by, sent_at)
select o.transfer_id, o.point_id, i.point_id, o.item, -o.quantity_delta, o.recorded_by, o.recorded_at
  from stock_movement o
  join stock_movement i on i.transfer_id = o.transfer_id and i.kind = 'transfer_in'
 where o.kind = 'transfer_out';
insert into stock_transfer_outcome (transfer_id, outcome, quantity_received, shortfall, decided_by, decided_at)
select i.transfer_id, 'accepted', i.quantity_delta, 0, i.recorded_by, i.recorded_at
  from stock_movement i
  join stock_transfer t on t.id = i.transfer_id
 where i.kind = 'transfer_in';
