-- A cycle's close and an entitlement flagged by an offline conflict (issue #15 leftovers,
-- session 12; docs/DISTRIBUTION.md "Cycle close"). Until now what was left of a
-- `conflict_flagged` entitlement did not carry over at all: the close carried over from
-- redeemable entitlements only. What remains of it is not known until a supervisor clears the
-- conflict (`later_stands` reverses earlier hand-overs and counts the later receipt, so the
-- remainder may go up or down), so the close cannot carry a quantity then, and carrying the
-- remainder it reads would count twice what the review gives back.
--
-- So the close *holds* the carry-over: one row per carry-over item of the flagged entitlement,
-- with the most it may carry (one basket's worth, the same cap as any carry-over). The
-- supervisor sees it beside the conflict. When the entitlement's last conflict is cleared, in
-- that transaction, what then remains of each item (at most the cap) becomes an ordinary
-- `entitlement_carry_over` row and the hold is released: counted once, after the review. If the
-- program's next cycle closed while it was held, that carry-over's turn has passed as any
-- waiting carry-over's does: it is written already lapsed (a quantity carries over once and
-- never piles up).

create table entitlement_carry_over_held (
  from_entitlement_id uuid not null references entitlement (id),
  item text not null check (item ~ '^[a-z][a-z0-9_]{0,39}$'),
  person_id uuid not null references person (id),
  program_id uuid not null references program (id),
  from_cycle_id uuid not null references program_cycle (id),
  unit text not null check (char_length(unit) between 1 and 40),
  quantity_max integer not null check (quantity_max > 0),
  held_at timestamptz not null,
  next_cycle_closed_at timestamptz,
  released_at timestamptz,
  primary key (from_entitlement_id, item)
);
create index entitlement_carry_over_held_open_idx on entitlement_carry_over_held (program_id)
  where released_at is null;

comment on table entitlement_carry_over_held is 'A carry-over a cycle''s close held back because the entitlement was flagged by an offline conflict: released as an entitlement_carry_over row of what then remains when its last conflict is cleared.';
comment on column entitlement_carry_over_held.from_entitlement_id is 'The flagged entitlement of the closed cycle.';
comment on column entitlement_carry_over_held.item is 'The basket item the program carries over.';
comment on column entitlement_carry_over_held.person_id is 'The beneficiary.';
comment on column entitlement_carry_over_held.program_id is 'The program.';
comment on column entitlement_carry_over_held.from_cycle_id is 'The cycle that closed.';
comment on column entitlement_carry_over_held.unit is 'The item''s unit.';
comment on column entitlement_carry_over_held.quantity_max is 'The most it may carry: one basket''s worth of the item.';
comment on column entitlement_carry_over_held.held_at is 'When the cycle closed and held it.';
comment on column entitlement_carry_over_held.next_cycle_closed_at is 'When the program''s next cycle closed while it was still held: released, it is then written lapsed.';
comment on column entitlement_carry_over_held.released_at is 'When the entitlement''s last conflict was cleared and what remained was carried over (or nothing remained).';

create trigger entitlement_carry_over_held_no_delete before delete on entitlement_carry_over_held
  for each row execute function distribution_history_immutable();
create trigger entitlement_carry_over_held_no_truncate before truncate on entitlement_carry_over_held
  for each statement execute function distribution_history_immutable();

grant select, insert on entitlement_carry_over_held to amparo_app;
grant update (next_cycle_closed_at, released_at) on entitlement_carry_over_held to amparo_app;
