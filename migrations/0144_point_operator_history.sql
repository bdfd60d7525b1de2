-- Who was assigned to a point, and when (review finding F5). An offline receipt now names the
-- operator who unlocked the device and made the hand-over (format v4), and the sync counts it
-- only if that operator was assigned to the point at the receipt's time. The assignment row
-- (`distribution_point_operator`) holds only its current state; this table keeps every change
-- of it, written by the database on each insert or change of the row, so the sync can ask
-- "assigned at that moment?" of a receipt made days before it is synced.
--
-- Assignments made before this migration are known from their row only: one change at the
-- row's `changed_at` with its current state. A receipt made before that moment is read as made
-- while unassigned (the earlier history was never kept); such receipts are at most 72 hours old
-- (a snapshot's life) when the upgrade runs.

create table distribution_point_operator_change (
  id bigint generated always as identity primary key,
  point_id uuid not null references distribution_point (id),
  operator_id uuid not null references operator (id),
  active boolean not null,
  changed_at timestamptz not null,
  changed_by uuid
);
create index distribution_point_operator_change_idx
  on distribution_point_operator_change (point_id, operator_id, changed_at);

comment on table distribution_point_operator_change is 'Every change of an operator''s assignment to a point (assigned or removed), written by a trigger on distribution_point_operator; written by the database only (the application role reads it). The offline sync reads it to know whether a receipt''s operator was assigned at the receipt''s time.';
comment on column distribution_point_operator_change.id is 'Order of recording.';
comment on column distribution_point_operator_change.point_id is 'The point.';
comment on column distribution_point_operator_change.operator_id is 'The operator.';
comment on column distribution_point_operator_change.active is 'Assigned (true) or removed (false) from changed_at on.';
comment on column distribution_point_operator_change.changed_at is 'When the assignment took this state (the row''s changed_at).';
comment on column distribution_point_operator_change.changed_by is 'Operator who made the change.';

insert into distribution_point_operator_change (point_id, operator_id, active, changed_at, changed_by)
  select point_id, operator_id, active, changed_at, changed_by from distribution_point_operator;

create function distribution_point_operator_changed() returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  if tg_op = 'UPDATE' and new.active = old.active and new.changed_at = old.changed_at then
    return null;
  end if;
  insert into distribution_point_operator_change (point_id, operator_id, active, changed_at, changed_by)
    values (new.point_id, new.operator_id, new.active, new.changed_at, new.changed_by);
  return null;
end;
$$;
comment on function distribution_point_operator_changed() is 'Trigger: keeps each change of an assignment in distribution_point_operator_change (the application role may only read that table).';
revoke all on function distribution_point_operator_changed() from public;

create trigger distribution_point_operator_history
  after insert or update on distribution_point_operator
  for each row execute function distribution_point_operator_changed();

grant select on distribution_point_operator_change to amparo_app;
