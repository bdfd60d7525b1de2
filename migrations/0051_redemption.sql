-- Redemption at distribution points (issue #15, point 3). Programs own entitlements; the
-- distribution module keeps what happened to each at the points here: its voucher state
-- (after the GovStack Payments building block: pre-activated, activated, consumed, suspended,
-- blocked, cancelled, plus partially consumed, expired and conflict-flagged), the quantity that
-- remains of each basket item, and every redemption with its lines and signed receipt.
-- A redemption locks the entitlement's state row, so the same entitlement redeemed at the same
-- moment at two points is counted once: the second sees what the first left.

create table entitlement_redemption_state (
  entitlement_id uuid primary key references entitlement (id),
  person_id uuid not null references person (id),
  program_id uuid not null references program (id),
  state text not null check (state in ('pre_activated', 'activated', 'partially_consumed', 'consumed',
    'suspended', 'blocked', 'cancelled', 'expired', 'conflict_flagged')),
  state_reason text check (state_reason is null or state_reason in ('death', 'merge', 'erasure',
    'cycle_closed', 'suspended_by_program', 'blocked_for_review', 'offline_conflict')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index entitlement_redemption_state_person_idx on entitlement_redemption_state (person_id);
comment on table entitlement_redemption_state is 'The redemption state of an entitlement at the points: what remains redeemable and why not.';
comment on column entitlement_redemption_state.entitlement_id is 'The entitlement (owned by the programs module).';
comment on column entitlement_redemption_state.person_id is 'The beneficiary (repeated from the entitlement for the registry''s lifecycle events).';
comment on column entitlement_redemption_state.program_id is 'The program (repeated for the point''s allow-list).';
comment on column entitlement_redemption_state.state is 'Voucher state: pre_activated, activated, partially_consumed, consumed, suspended, blocked, cancelled, expired, conflict_flagged.';
comment on column entitlement_redemption_state.state_reason is 'Why it left the redeemable states: death, merge, erasure, cycle_closed, suspended_by_program, blocked_for_review, offline_conflict.';
comment on column entitlement_redemption_state.created_at is 'When the entitlement was first seen at a point.';
comment on column entitlement_redemption_state.updated_at is 'When its state last changed.';

create table entitlement_item_balance (
  entitlement_id uuid not null references entitlement_redemption_state (entitlement_id),
  item text not null check (item ~ '^[a-z][a-z0-9_]{0,39}$'),
  unit text not null check (char_length(unit) between 1 and 40),
  quantity_granted integer not null check (quantity_granted > 0),
  quantity_remaining integer not null check (quantity_remaining >= 0 and quantity_remaining <= quantity_granted),
  primary key (entitlement_id, item)
);
comment on table entitlement_item_balance is 'What remains of each basket item of an entitlement (30 L of 60 L of fuel).';
comment on column entitlement_item_balance.entitlement_id is 'The entitlement.';
comment on column entitlement_item_balance.item is 'The basket item.';
comment on column entitlement_item_balance.unit is 'Its unit (box, L, tablet).';
comment on column entitlement_item_balance.quantity_granted is 'What the program''s basket grants.';
comment on column entitlement_item_balance.quantity_remaining is 'What may still be taken; never below zero.';

create table redemption (
  id uuid primary key,
  entitlement_id uuid not null references entitlement_redemption_state (entitlement_id),
  person_id uuid not null references person (id),
  program_id uuid not null references program (id),
  point_id uuid not null references distribution_point (id),
  operator_id uuid,
  mode text not null check (mode in ('card', 'assisted')),
  credential_id bytea,
  assisted_id uuid,
  redeemed_at timestamptz not null,
  receipt_signature text not null,
  check ((mode = 'card') = (credential_id is not null)),
  check ((mode = 'assisted') = (assisted_id is not null))
);
create index redemption_entitlement_idx on redemption (entitlement_id);
create index redemption_point_idx on redemption (point_id, redeemed_at);
create index redemption_person_idx on redemption (person_id, redeemed_at);
comment on table redemption is 'One handing-over of (part of) an entitlement at a point, with its signed receipt; append-only.';
comment on column redemption.id is 'Database key (UUID); also the receipt number.';
comment on column redemption.entitlement_id is 'The entitlement redeemed.';
comment on column redemption.person_id is 'The beneficiary.';
comment on column redemption.program_id is 'The program.';
comment on column redemption.point_id is 'Where.';
comment on column redemption.operator_id is 'The operator who handed it over.';
comment on column redemption.mode is 'card (the card was scanned and verified) or assisted (without the card, with a second check).';
comment on column redemption.credential_id is 'The card that was scanned (mode card).';
comment on column redemption.assisted_id is 'The assisted-redemption record (mode assisted).';
comment on column redemption.redeemed_at is 'When.';
comment on column redemption.receipt_signature is 'Ed25519 signature (base64url) of the receipt the person keeps.';

create table redemption_line (
  redemption_id uuid not null references redemption (id),
  item text not null check (item ~ '^[a-z][a-z0-9_]{0,39}$'),
  unit text not null,
  quantity integer not null check (quantity > 0),
  remaining_after integer not null check (remaining_after >= 0),
  primary key (redemption_id, item)
);
comment on table redemption_line is 'What one redemption handed over of each item, and what remained after it.';
comment on column redemption_line.redemption_id is 'The redemption.';
comment on column redemption_line.item is 'The item.';
comment on column redemption_line.unit is 'Its unit.';
comment on column redemption_line.quantity is 'Units handed over.';
comment on column redemption_line.remaining_after is 'Units of the item that remained of the entitlement afterwards.';

create trigger redemption_immutable before update or delete on redemption
  for each row execute function distribution_history_immutable();
create trigger redemption_no_truncate before truncate on redemption
  for each statement execute function distribution_history_immutable();
create trigger redemption_line_immutable before update or delete on redemption_line
  for each row execute function distribution_history_immutable();
create trigger redemption_line_no_truncate before truncate on redemption_line
  for each statement execute function distribution_history_immutable();

grant select, insert on entitlement_redemption_state, entitlement_item_balance, redemption, redemption_line to amparo_app;
grant update (state, state_reason, updated_at) on entitlement_redemption_state to amparo_app;
grant update (quantity_remaining) on entitlement_item_balance to amparo_app;
