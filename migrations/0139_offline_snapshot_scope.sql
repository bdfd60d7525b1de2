-- Which entitlements a point's snapshot held (issue #15, point 5; review finding F1b). Until
-- now the sync checked a receipt's entitlement against the card's holder and the programs the
-- point serves, never against the snapshot the receipt names: a device could sign a receipt for
-- a person of another area the snapshot never held. The builder now keeps the snapshot's scope
-- on its row — each entitlement entered, as the last 6 bytes of its id (48 random bits of a
-- version 4 UUID), sorted, 6 bytes each (src/modules/distribution/offline/snapshot-scope.ts) —
-- and the sync refuses an entitlement outside it (AMP_OFFLINE_NOT_IN_SNAPSHOT). Snapshots issued
-- before this migration have none: they expire within 72 hours, and a receipt made with one is
-- refused the same way (it cannot be shown to have been in the snapshot).

alter table distribution_snapshot add column entitlement_scope bytea
  check (octet_length(entitlement_scope) % 6 = 0);
comment on column distribution_snapshot.entitlement_scope is 'The entitlements the snapshot held: the last 6 bytes of each id, sorted, concatenated (snapshot-scope.ts); null for snapshots issued before migration 0139, whose receipts are refused.';
