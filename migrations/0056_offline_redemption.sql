-- Offline redemption (issue #15, point 5): the signed snapshots a point's devices download and
-- the receipts they sign while the network is off. A snapshot is recorded (not its content:
-- that is rebuilt from the state at the points) so a receipt can name the one it was made with,
-- and a receipt made with an expired snapshot is refused. A synced receipt is kept once,
-- keyed by the id the device gave it: a replay answers what the first sync answered. A receipt
-- that found the entitlement already taken is kept too, counted nowhere, with the entitlement
-- flagged for review (conflict).

create table distribution_snapshot (
  id uuid primary key,
  point_id uuid not null references distribution_point (id),
  device_id uuid not null references distribution_device (id),
  issued_at timestamptz not null,
  expires_at timestamptz not null check (expires_at > issued_at),
  entries integer not null check (entries >= 0),
  payload_sha256 bytea not null check (octet_length(payload_sha256) = 32),
  issued_by uuid not null
);
create index distribution_snapshot_device_idx on distribution_snapshot (device_id, issued_at);
comment on table distribution_snapshot is 'A signed snapshot a device downloaded for offline work at its point; its content is not kept.';
comment on column distribution_snapshot.id is 'Database key (UUID); the snapshot and the receipts made with it carry it.';
comment on column distribution_snapshot.point_id is 'The point it was built for.';
comment on column distribution_snapshot.device_id is 'The registered device it was built for.';
comment on column distribution_snapshot.issued_at is 'When it was built.';
comment on column distribution_snapshot.expires_at is 'After this a receipt made with it is refused.';
comment on column distribution_snapshot.entries is 'How many (card, entitlement) entries it held.';
comment on column distribution_snapshot.payload_sha256 is 'SHA-256 of the signed payload (canonical JSON).';
comment on column distribution_snapshot.issued_by is 'The operator who downloaded it for the device.';

create table offline_receipt (
  id uuid primary key,
  device_id uuid not null references distribution_device (id),
  point_id uuid not null references distribution_point (id),
  snapshot_id uuid not null references distribution_snapshot (id),
  entitlement_id uuid not null references entitlement_redemption_state (entitlement_id),
  cycle_id uuid not null,
  device_time timestamptz not null,
  lines jsonb not null,
  signature text not null,
  synced_at timestamptz not null,
  synced_by uuid not null,
  outcome text not null check (outcome in ('counted', 'conflict')),
  redemption_id uuid references redemption (id),
  check ((outcome = 'counted') = (redemption_id is not null))
);
create index offline_receipt_point_idx on offline_receipt (point_id, cycle_id, outcome);
create index offline_receipt_entitlement_idx on offline_receipt (entitlement_id);
comment on table offline_receipt is 'A receipt a device signed offline, kept once by its id when synced: counted, or a conflict counted nowhere; append-only.';
comment on column offline_receipt.id is 'The id the device gave it (idempotency key of the sync).';
comment on column offline_receipt.device_id is 'The device that signed it.';
comment on column offline_receipt.point_id is 'The point of the device.';
comment on column offline_receipt.snapshot_id is 'The snapshot the device held when it made it.';
comment on column offline_receipt.entitlement_id is 'The entitlement it redeemed.';
comment on column offline_receipt.cycle_id is 'The entitlement''s cycle (owned by programs), for the point''s reconciliation.';
comment on column offline_receipt.device_time is 'The device''s clock when it was made.';
comment on column offline_receipt.lines is 'What was handed over: [{item, quantity}], as signed.';
comment on column offline_receipt.signature is 'The device''s Ed25519 signature (base64url) over the receipt''s canonical JSON.';
comment on column offline_receipt.synced_at is 'When the server applied it.';
comment on column offline_receipt.synced_by is 'The operator whose session synced it.';
comment on column offline_receipt.outcome is 'counted (a redemption was written) or conflict (the entitlement was already taken: flagged, counted nowhere).';
comment on column offline_receipt.redemption_id is 'The redemption it wrote, when counted.';

create trigger offline_receipt_immutable before update or delete on offline_receipt
  for each row execute function distribution_history_immutable();
create trigger offline_receipt_no_truncate before truncate on offline_receipt
  for each statement execute function distribution_history_immutable();

grant select, insert on distribution_snapshot, offline_receipt to amparo_app;
