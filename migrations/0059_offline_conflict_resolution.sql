-- A supervisor clears an offline conflict (issue #15, point 5): the receipt that was counted
-- first stands, the conflicting one is closed, counted nowhere. If its goods did leave the point
-- (two devices handed the same basket over), they are written off as a stock loss in the same
-- transaction, so the stock stays what is really on hand. Once the last open conflict of an
-- entitlement is cleared, the entitlement takes again the state its remaining quantities imply.
-- One resolution per conflicting receipt; append-only.
create table offline_conflict_resolution (
  receipt_id uuid primary key references offline_receipt (id),
  entitlement_id uuid not null references entitlement_redemption_state (entitlement_id),
  decision text not null check (decision in ('counted_stands')),
  goods_left boolean not null,
  note text check (note is null or char_length(note) <= 500),
  resolved_by uuid not null,
  resolved_at timestamptz not null
);
create index offline_conflict_resolution_entitlement_idx on offline_conflict_resolution (entitlement_id);
comment on table offline_conflict_resolution is 'A supervisor''s decision on an offline conflict: which receipt stands; append-only.';
comment on column offline_conflict_resolution.receipt_id is 'The conflicting offline receipt (outcome conflict) it closes.';
comment on column offline_conflict_resolution.entitlement_id is 'The entitlement both receipts named.';
comment on column offline_conflict_resolution.decision is 'counted_stands: the receipt counted first stays; this one counts nowhere.';
comment on column offline_conflict_resolution.goods_left is 'True when this receipt''s goods did leave the point: written off as a stock loss with it.';
comment on column offline_conflict_resolution.note is 'What the supervisor found.';
comment on column offline_conflict_resolution.resolved_by is 'The supervisor.';
comment on column offline_conflict_resolution.resolved_at is 'When.';

create trigger offline_conflict_resolution_immutable before update or delete on offline_conflict_resolution
  for each row execute function distribution_history_immutable();
create trigger offline_conflict_resolution_no_truncate before truncate on offline_conflict_resolution
  for each statement execute function distribution_history_immutable();

grant select, insert on offline_conflict_resolution to amparo_app;
