-- Distribution points and their stock (issue #15, points 1 and 2). A point is a place where
-- benefits are handed out: its kind, its state and municipality, the programs it serves (an
-- allow-list) and the operators assigned to it. Stock is a ledger: every delivery, redemption,
-- transfer and adjustment is an append-only movement carrying the balance after it, and the
-- balance never goes below zero unless the movement records an explicit override.

create table distribution_point (
  id uuid primary key,
  code text not null unique check (code ~ '^[a-z0-9][a-z0-9_-]{1,39}$'),
  name text not null check (char_length(name) between 1 and 120),
  kind text not null check (kind in ('kiosk', 'shop', 'warehouse', 'pharmacy', 'fuel_station')),
  region_code text not null check (region_code ~ '^VE-[A-Z]$'),
  municipality_code text check (municipality_code is null or char_length(municipality_code) <= 20),
  status text not null default 'open' check (status in ('open', 'closed')),
  created_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table distribution_point is 'A place where benefits are handed out: kiosk, shop, warehouse, pharmacy or fuel station.';
comment on column distribution_point.id is 'Database key (UUID).';
comment on column distribution_point.code is 'Short public code printed on receipts.';
comment on column distribution_point.name is 'Name shown to operators and on receipts.';
comment on column distribution_point.kind is 'kiosk, shop, warehouse, pharmacy or fuel_station.';
comment on column distribution_point.region_code is 'ISO 3166-2:VE state; decides which operators and supervisors may act here.';
comment on column distribution_point.municipality_code is 'Municipality code from the shipped divisions, when known.';
comment on column distribution_point.status is 'open (redeems) or closed (refuses redemptions and stock movements).';
comment on column distribution_point.created_by is 'Operator who registered the point.';
comment on column distribution_point.created_at is 'When the point was registered.';
comment on column distribution_point.updated_at is 'When its status, programs or operators last changed.';

create table distribution_point_program (
  point_id uuid not null references distribution_point (id),
  program_id uuid not null references program (id),
  active boolean not null default true,
  changed_by uuid,
  changed_at timestamptz not null default now(),
  primary key (point_id, program_id)
);
comment on table distribution_point_program is 'The allow-list: which programs a point may redeem.';
comment on column distribution_point_program.point_id is 'The point.';
comment on column distribution_point_program.program_id is 'A program the point serves.';
comment on column distribution_point_program.active is 'False once the program was taken off the point''s list.';
comment on column distribution_point_program.changed_by is 'Operator who last changed the row.';
comment on column distribution_point_program.changed_at is 'When.';

create table distribution_point_operator (
  point_id uuid not null references distribution_point (id),
  operator_id uuid not null references operator (id),
  active boolean not null default true,
  changed_by uuid,
  changed_at timestamptz not null default now(),
  primary key (point_id, operator_id)
);
comment on table distribution_point_operator is 'Distribution operators assigned to a point: they redeem only there.';
comment on column distribution_point_operator.point_id is 'The point.';
comment on column distribution_point_operator.operator_id is 'The assigned operator.';
comment on column distribution_point_operator.active is 'False once the assignment ended.';
comment on column distribution_point_operator.changed_by is 'Operator who last changed the row.';
comment on column distribution_point_operator.changed_at is 'When.';

create table stock_balance (
  point_id uuid not null references distribution_point (id),
  item text not null check (item ~ '^[a-z][a-z0-9_]{0,39}$'),
  quantity integer not null,
  last_movement_id uuid,
  primary key (point_id, item)
);
comment on table stock_balance is 'Stock on hand per point and item: the balance after the last movement, the row every movement locks.';
comment on column stock_balance.point_id is 'The point.';
comment on column stock_balance.item is 'The item (as named in program baskets: food_box, fuel_litre).';
comment on column stock_balance.quantity is 'Whole units on hand; below zero only after a recorded override.';
comment on column stock_balance.last_movement_id is 'The movement that set this balance.';

create table stock_movement (
  id uuid primary key,
  point_id uuid not null references distribution_point (id),
  item text not null check (item ~ '^[a-z][a-z0-9_]{0,39}$'),
  kind text not null check (kind in ('delivery', 'redemption', 'transfer_out', 'transfer_in', 'adjustment')),
  quantity_delta integer not null check (quantity_delta <> 0),
  balance_after integer not null,
  reason text check (reason is null or reason in ('loss', 'damage', 'count_correction')),
  note text check (note is null or char_length(note) <= 500),
  override_negative boolean not null default false,
  transfer_id uuid,
  redemption_id uuid,
  recorded_by uuid,
  recorded_at timestamptz not null default now(),
  check (balance_after >= 0 or override_negative),
  check ((kind = 'adjustment') = (reason is not null)),
  check ((kind in ('transfer_out', 'transfer_in')) = (transfer_id is not null)),
  check ((kind = 'redemption') = (redemption_id is not null)),
  check (kind not in ('delivery', 'transfer_in') or quantity_delta > 0),
  check (kind not in ('redemption', 'transfer_out') or quantity_delta < 0)
);
create index stock_movement_point_idx on stock_movement (point_id, recorded_at);
comment on table stock_movement is 'The stock ledger: every change of a point''s stock, append-only, with the balance after it.';
comment on column stock_movement.id is 'Database key (UUID).';
comment on column stock_movement.point_id is 'The point whose stock changed.';
comment on column stock_movement.item is 'The item.';
comment on column stock_movement.kind is 'delivery, redemption, transfer_out, transfer_in or adjustment.';
comment on column stock_movement.quantity_delta is 'Units added (positive) or taken (negative).';
comment on column stock_movement.balance_after is 'The point''s balance of the item after this movement.';
comment on column stock_movement.reason is 'Why an adjustment was made: loss, damage, count_correction (adjustments only, required).';
comment on column stock_movement.note is 'Free text a supervisor adds to an adjustment or delivery.';
comment on column stock_movement.override_negative is 'True when a supervisor explicitly let the balance go below zero.';
comment on column stock_movement.transfer_id is 'Pairs the two sides of a transfer between points.';
comment on column stock_movement.redemption_id is 'The redemption that took the stock.';
comment on column stock_movement.recorded_by is 'Operator who recorded the movement.';
comment on column stock_movement.recorded_at is 'When.';

create function distribution_history_immutable() returns trigger
  language plpgsql
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = '42501';
end;
$$;
comment on function distribution_history_immutable() is 'Refuses any change to an append-only distribution table.';

create trigger stock_movement_immutable before update or delete on stock_movement
  for each row execute function distribution_history_immutable();
create trigger stock_movement_no_truncate before truncate on stock_movement
  for each statement execute function distribution_history_immutable();

grant select, insert on distribution_point, distribution_point_program, distribution_point_operator, stock_balance, stock_movement to amparo_app;
grant update (name, status, municipality_code, updated_at) on distribution_point to amparo_app;
grant update (active, changed_by, changed_at) on distribution_point_program, distribution_point_operator to amparo_app;
grant update (quantity, last_movement_id) on stock_balance to amparo_app;
