-- Cycle close at the points (issue #15, point 8). When a program closes a cycle, what was not
-- taken of each entitlement expires, except the basket items the program marks `carryOver`:
-- what remains of those (at most one basket's worth) moves to the person's entitlement of the
-- program's next cycle. A carry-over row waits until that entitlement is first seen at a point
-- (it is then added to what it grants) or until the program's next cycle closes without it
-- being taken (it lapses): a quantity carries over once, never piles up.

create table entitlement_carry_over (
  from_entitlement_id uuid not null references entitlement (id),
  item text not null check (item ~ '^[a-z][a-z0-9_]{0,39}$'),
  person_id uuid not null references person (id),
  program_id uuid not null references program (id),
  from_cycle_id uuid not null references program_cycle (id),
  unit text not null check (char_length(unit) between 1 and 40),
  quantity integer not null check (quantity > 0),
  carried_at timestamptz not null,
  into_entitlement_id uuid references entitlement (id),
  applied_at timestamptz,
  lapsed_at timestamptz,
  primary key (from_entitlement_id, item),
  check ((into_entitlement_id is null) = (applied_at is null)),
  check (applied_at is null or lapsed_at is null)
);
create index entitlement_carry_over_waiting_idx on entitlement_carry_over (person_id, program_id)
  where applied_at is null and lapsed_at is null;
create index entitlement_carry_over_cycle_idx on entitlement_carry_over (from_cycle_id);
comment on table entitlement_carry_over is 'What remained of a carry-over basket item when its cycle closed, waiting for the person''s next entitlement of the program.';
comment on column entitlement_carry_over.from_entitlement_id is 'The entitlement of the closed cycle.';
comment on column entitlement_carry_over.item is 'The basket item.';
comment on column entitlement_carry_over.person_id is 'The beneficiary.';
comment on column entitlement_carry_over.program_id is 'The program; the next entitlement of this program takes it.';
comment on column entitlement_carry_over.from_cycle_id is 'The cycle that closed.';
comment on column entitlement_carry_over.unit is 'The item''s unit.';
comment on column entitlement_carry_over.quantity is 'Units carried (what remained, at most one basket''s worth).';
comment on column entitlement_carry_over.carried_at is 'When the cycle closed.';
comment on column entitlement_carry_over.into_entitlement_id is 'The entitlement that took it, once a point first saw that entitlement.';
comment on column entitlement_carry_over.applied_at is 'When it was added to that entitlement.';
comment on column entitlement_carry_over.lapsed_at is 'When the program''s next cycle closed without it being taken: it expired.';

create trigger entitlement_carry_over_no_delete before delete on entitlement_carry_over
  for each row execute function distribution_history_immutable();
create trigger entitlement_carry_over_no_truncate before truncate on entitlement_carry_over
  for each statement execute function distribution_history_immutable();

grant select, insert on entitlement_carry_over to amparo_app;
grant update (into_entitlement_id, applied_at, lapsed_at) on entitlement_carry_over to amparo_app;
