-- The person's objection to a hold on their entitlement (safeguard 9: every person can appeal).
-- A hold (migration 0151) is placed by a distribution supervisor; until now the person could
-- only wait for its lift or lapse. The person (or an enrolment clerk at the counter for them)
-- files an objection to a hold in force, with a statement; a program officer of the holder's
-- state — never the supervisor who placed the hold, never whoever filed — decides it once:
--   upheld    the hold is lifted by the decision (an entitlement_hold_lift row, as a
--             supervisor's lift: audited, texted) and the entitlement is redeemable again;
--   rejected  with a reason in words: the hold stays until it is lifted or lapses.
-- One open objection per hold (a unique index: no decision row yet). A decision on an objection
-- whose hold has ended already is refused: nothing is left to decide.
--
-- The objection keeps the person's words, which are personal data: an erasure blanks the
-- statement (the only change the application may make to a row); the decision is append-only.

create table entitlement_hold_objection (
  id uuid primary key,
  hold_id uuid not null references entitlement_hold (id),
  person_id uuid not null references person (id),
  region_code text not null,
  statement text not null check (char_length(statement) <= 2000),
  filed_by_kind text not null check (filed_by_kind in ('citizen', 'operator')),
  filed_by text not null,
  filed_at timestamptz not null,
  decide_due_at timestamptz not null,
  check (decide_due_at > filed_at)
);
create unique index entitlement_hold_objection_hold_idx on entitlement_hold_objection (hold_id);
create index entitlement_hold_objection_region_idx on entitlement_hold_objection (region_code, decide_due_at);
create index entitlement_hold_objection_person_idx on entitlement_hold_objection (person_id, filed_at);

comment on table entitlement_hold_objection is 'A person''s objection to a hold on their entitlement, decided by a program officer (entitlement_hold_objection_decision). At most one per hold. Rows are never changed but for an erasure blanking the statement.';
comment on column entitlement_hold_objection.id is 'The objection.';
comment on column entitlement_hold_objection.hold_id is 'The hold objected to (in force when filed); at most one objection per hold.';
comment on column entitlement_hold_objection.person_id is 'The holder, who objects.';
comment on column entitlement_hold_objection.region_code is 'The hold''s state: whose program officers decide.';
comment on column entitlement_hold_objection.statement is 'The person''s words (up to 2,000 characters); blanked by an erasure.';
comment on column entitlement_hold_objection.filed_by_kind is 'citizen (the person themself) or operator (an enrolment clerk at the counter).';
comment on column entitlement_hold_objection.filed_by is 'The citizen''s person id or the operator''s id: they cannot decide it.';
comment on column entitlement_hold_objection.filed_at is 'When.';
comment on column entitlement_hold_objection.decide_due_at is 'The service level: undecided after it, the objection is overdue in the officers'' queue.';

create table entitlement_hold_objection_decision (
  objection_id uuid primary key references entitlement_hold_objection (id),
  outcome text not null check (outcome in ('upheld', 'rejected')),
  reason text not null check (char_length(reason) <= 500),
  decided_by uuid not null,
  decided_at timestamptz not null,
  check (outcome = 'upheld' or char_length(reason) >= 1)
);

comment on table entitlement_hold_objection_decision is 'A program officer''s one decision on an objection to a hold: upheld (the hold lifted in the same commit) or rejected with a reason. Append-only.';
comment on column entitlement_hold_objection_decision.objection_id is 'The objection decided (once).';
comment on column entitlement_hold_objection_decision.outcome is 'upheld (the hold is lifted) or rejected (it stays until it is lifted or lapses).';
comment on column entitlement_hold_objection_decision.reason is 'Why, in the officer''s words (1 to 500 characters when rejected; may be empty when upheld). Shown to the person.';
comment on column entitlement_hold_objection_decision.decided_by is 'The program officer who decided: neither the supervisor who placed the hold nor the filer.';
comment on column entitlement_hold_objection_decision.decided_at is 'When.';

create function entitlement_hold_objection_erasure_only() returns trigger
  language plpgsql
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  if tg_op = 'UPDATE' and new.statement = '' and (new.id, new.hold_id, new.person_id,
      new.region_code, new.filed_by_kind, new.filed_by, new.filed_at, new.decide_due_at)
      is not distinct from (old.id, old.hold_id, old.person_id, old.region_code,
      old.filed_by_kind, old.filed_by, old.filed_at, old.decide_due_at) then
    return new;
  end if;
  raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = '42501';
end;
$$;
comment on function entitlement_hold_objection_erasure_only() is 'Refuses any change to an objection to a hold but an erasure blanking its statement.';

create trigger entitlement_hold_objection_no_change before update or delete on entitlement_hold_objection
  for each row execute function entitlement_hold_objection_erasure_only();
create trigger entitlement_hold_objection_decision_no_change before update or delete on entitlement_hold_objection_decision
  for each row execute function distribution_history_immutable();

-- The supervisor's note is read by the program officer deciding an objection too (it is the
-- hold's stated ground), still never at a point nor by the person.
comment on column entitlement_hold.note is 'The supervisor''s note (1 to 500 characters); shown to supervisors and to the program officer deciding an objection to the hold, never at a point nor to the person.';

grant select, insert on entitlement_hold_objection, entitlement_hold_objection_decision to amparo_app;
grant update (statement) on entitlement_hold_objection to amparo_app;
