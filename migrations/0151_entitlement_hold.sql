-- A supervisor's hold on one entitlement: the GovStack voucher state `blocked`, declared since
-- 0051 and never written (docs/DISTRIBUTION.md, "Entitlement states"). The state is derived,
-- never stored on the redemption state row: while a hold is in force the entitlement answers
-- `blocked` and nothing of it is handed over, online or offline; when it is lifted or lapses it
-- is redeemable again as it was, with no write.
--
-- A hold cannot become a silent denial: it names a reason from a closed list (never anything
-- about what the person did or thinks, safeguard 1), it lapses by itself at `lapses_at` (placed
-- + AMPARO_ENTITLEMENT_HOLD_DAYS, evaluated when read: no job has to run), the person sees it
-- and its reason code (not the note), and both the hold and its lift are audited on the person.
-- Both tables are append-only: a lift is a row of its own.

create table entitlement_hold (
  id uuid primary key,
  entitlement_id uuid not null references entitlement (id),
  person_id uuid not null references person (id),
  program_id uuid not null references program (id),
  region_code text not null,
  reason text not null check (reason in ('suspected_fraud_report', 'identity_dispute',
    'duplicate_record_under_review', 'data_error_under_review')),
  note text not null check (char_length(note) between 1 and 500),
  placed_by uuid not null,
  placed_at timestamptz not null,
  lapses_at timestamptz not null,
  check (lapses_at > placed_at)
);
create index entitlement_hold_entitlement_idx on entitlement_hold (entitlement_id, placed_at);
create index entitlement_hold_region_idx on entitlement_hold (region_code, lapses_at);
create index entitlement_hold_person_idx on entitlement_hold (person_id, placed_at);

comment on table entitlement_hold is 'A supervisor''s hold on one entitlement (voucher state blocked): nothing of it is handed over from placed_at until it is lifted (entitlement_hold_lift) or lapses_at passes. Append-only.';
comment on column entitlement_hold.id is 'The hold.';
comment on column entitlement_hold.entitlement_id is 'The entitlement held.';
comment on column entitlement_hold.person_id is 'Its holder (the person sees the hold and its reason code).';
comment on column entitlement_hold.program_id is 'Its program.';
comment on column entitlement_hold.region_code is 'The holder''s state when the hold was placed: whose supervisors list and lift it.';
comment on column entitlement_hold.reason is 'Why, from a closed list: suspected_fraud_report, identity_dispute, duplicate_record_under_review, data_error_under_review. Shown to the person.';
comment on column entitlement_hold.note is 'The supervisor''s note (1 to 500 characters); shown to supervisors only, never at a point nor to the person.';
comment on column entitlement_hold.placed_by is 'The operator who placed it.';
comment on column entitlement_hold.placed_at is 'From when it is in force; an offline receipt made at or after it, while it was in force, is refused at sync.';
comment on column entitlement_hold.lapses_at is 'When it ends by itself if nobody lifts it (placed_at + AMPARO_ENTITLEMENT_HOLD_DAYS).';

create table entitlement_hold_lift (
  hold_id uuid primary key references entitlement_hold (id),
  lifted_by uuid not null,
  lifted_at timestamptz not null,
  note text not null check (char_length(note) <= 500)
);

comment on table entitlement_hold_lift is 'A hold lifted before it lapsed: the entitlement is redeemable again from lifted_at. Append-only.';
comment on column entitlement_hold_lift.hold_id is 'The hold lifted (at most once).';
comment on column entitlement_hold_lift.lifted_by is 'The operator who lifted it.';
comment on column entitlement_hold_lift.lifted_at is 'When.';
comment on column entitlement_hold_lift.note is 'The supervisor''s note (may be empty); supervisors only.';

grant select, insert on entitlement_hold, entitlement_hold_lift to amparo_app;
