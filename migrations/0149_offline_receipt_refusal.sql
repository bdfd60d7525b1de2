-- Offline receipts refused at sync, in the point's reconciliation (review: refused receipts left
-- only an audit entry each). A receipt the sync refuses — not the device's signature, no or a bad
-- card proof, a snapshot that did not hold it, a card refused, beyond the allowance, a revoked
-- device … — counts nowhere, but its goods may have left the point: the supervisor who signs the
-- cycle off must see it. One row per refused receipt (the first refusal of a device's receipt id;
-- the same receipt refused again is in the audit only), with what the device says it handed over.
-- No person: the entitlement id (as the conflict list shows it) and the cycle it belongs to, when
-- the server knows it.

create table offline_receipt_refusal (
  id uuid primary key,
  point_id uuid not null references distribution_point (id),
  device_id uuid not null references distribution_device (id),
  receipt_id uuid not null,
  entitlement_id uuid not null,
  cycle_id uuid,
  device_time timestamptz not null,
  lines jsonb not null check (jsonb_typeof(lines) = 'array'),
  reason text not null check (reason ~ '^AMP_[A-Z0-9_]{1,60}$'),
  synced_at timestamptz not null,
  synced_by uuid not null,
  unique (device_id, receipt_id)
);
create index offline_receipt_refusal_point_cycle_idx on offline_receipt_refusal (point_id, cycle_id, synced_at);

comment on table offline_receipt_refusal is 'An offline receipt the sync refused (counted nowhere), for the point''s reconciliation; append-only.';
comment on column offline_receipt_refusal.id is 'Database key (UUID).';
comment on column offline_receipt_refusal.point_id is 'The point whose sync refused it.';
comment on column offline_receipt_refusal.device_id is 'The registered device that sent it.';
comment on column offline_receipt_refusal.receipt_id is 'The device''s id of the receipt (the app shows its first 8 characters).';
comment on column offline_receipt_refusal.entitlement_id is 'The entitlement the receipt names (it may name one the server does not know).';
comment on column offline_receipt_refusal.cycle_id is 'The cycle of that entitlement; null when the server knows no such entitlement.';
comment on column offline_receipt_refusal.device_time is 'When the device says it handed over.';
comment on column offline_receipt_refusal.lines is 'What the device says it handed over: [{item, quantity}].';
comment on column offline_receipt_refusal.reason is 'The refusal''s code (AMP_…), as the device was answered and the audit entry says.';
comment on column offline_receipt_refusal.synced_at is 'When the sync refused it.';
comment on column offline_receipt_refusal.synced_by is 'The operator whose session synced it.';

create trigger offline_receipt_refusal_immutable before update or delete on offline_receipt_refusal
  for each row execute function distribution_history_immutable();
create trigger offline_receipt_refusal_no_truncate before truncate on offline_receipt_refusal
  for each statement execute function distribution_history_immutable();

grant select, insert on offline_receipt_refusal to amparo_app;
