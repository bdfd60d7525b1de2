-- The offline allowance is counted over the receipts of the snapshots a device held at the same
-- time (issue #15, point 5): a device that downloads several snapshots before going offline gets
-- one allowance, not one per snapshot. Each sync reads a device's kept receipts by snapshot and
-- by when they were synced; this index serves that read (before, the receipts of a snapshot were
-- found by a scan of every offline receipt).
create index offline_receipt_snapshot_idx on offline_receipt (snapshot_id, synced_at);
