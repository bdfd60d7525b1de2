-- The per-device offline allowance (issue #15, point 5): how many receipts, and how many units
-- in all, a device may make with one snapshot before it must sync. A supervisor sets it when
-- registering the device; null is the default (`offline.receiptsPerSnapshotMax`,
-- `offline.unitsPerSnapshotMax` in src/limits.ts). The snapshot carries it, the app stops there,
-- and a sync refuses the receipts of a snapshot beyond it (docs/DISTRIBUTION.md).
alter table distribution_device
  add column receipts_max integer check (receipts_max is null or receipts_max > 0),
  add column units_max integer check (units_max is null or units_max > 0);
comment on column distribution_device.receipts_max is
  'Receipts the device may make with one snapshot before it must sync; null: the default limit.';
comment on column distribution_device.units_max is
  'Units (all items, all receipts) the device may hand over with one snapshot before it must sync; null: the default limit.';
