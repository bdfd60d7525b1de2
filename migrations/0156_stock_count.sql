-- Physical stock counts at a point (review of issue #15, point 7: the reconciliation's
-- discrepancy compared the redemption lines with the stock movements written in the same
-- transaction, zero by construction). An operator or supervisor counts an item on the shelf and
-- records what they found; the row keeps beside it what the stock ledger said was on hand at that
-- moment (the point's balance, read under the lock the ledger's writers take), so the
-- reconciliation shows counted − expected. A count moves no stock: a supervisor resolves a
-- difference with an adjustment of reason count_correction, which the reconciliation then shows as
-- explaining it. Append-only; no person (the operator who counted is an operator id).

create table stock_count (
  id uuid primary key,
  point_id uuid not null references distribution_point (id),
  item text not null check (item ~ '^[a-z][a-z0-9_]{0,39}$'),
  counted_quantity integer not null check (counted_quantity >= 0),
  expected_quantity integer not null,
  last_movement_id uuid references stock_movement (id),
  counted_by uuid not null,
  counted_at timestamptz not null default now()
);
create index stock_count_point_item_idx on stock_count (point_id, item, counted_at);

comment on table stock_count is 'A physical count of one item at a point, beside what the stock ledger said was on hand then; moves no stock; append-only.';
comment on column stock_count.id is 'Database key (UUID).';
comment on column stock_count.point_id is 'The point counted.';
comment on column stock_count.item is 'The basket item counted.';
comment on column stock_count.counted_quantity is 'What was found on the shelf.';
comment on column stock_count.expected_quantity is 'The point''s balance of the item in the stock ledger when the count was recorded.';
comment on column stock_count.last_movement_id is 'The last movement of the item at the point before the count (null when none): the ledger position compared.';
comment on column stock_count.counted_by is 'The operator who recorded the count.';
comment on column stock_count.counted_at is 'When the count was recorded (the database''s clock, as the stock ledger''s recorded_at).';

create trigger stock_count_immutable before update or delete on stock_count
  for each row execute function distribution_history_immutable();
create trigger stock_count_no_truncate before truncate on stock_count
  for each statement execute function distribution_history_immutable();

grant select, insert on stock_count to amparo_app;
