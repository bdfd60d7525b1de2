-- Every person a point's offline snapshot held sees it in their access history (review finding
-- F6, Low). The snapshot's build was audited once, on the point; the persons whose entitlements it
-- carried to the device saw nothing. Writing one audit entry per person would add 50,000 entries
-- to every snapshot (and to every device's daily download); instead the person's history joins
-- the snapshot's kept scope (migration 0139) to the snapshot's one audit entry:
--
-- * audit_leaf_index: the leaf of the snapshot's audit entry, which now also names the snapshot
--   and the SHA-256 of its scope, so the scope a history line rests on is committed in the log
--   (src/modules/distribution/offline/snapshot-history.ts, docs/DISTRIBUTION.md);
-- * region_code, municipality_code: the area the builder used (the point's, at build time), so a
--   person's history looks only at the snapshots of the areas they lived in and of the points that
--   served them, not at every snapshot of the country.
--
-- Null for snapshots built before this migration: they are not listed in anyone's history (they
-- expired within 72 hours of the upgrade; their build is in the point's audit).

alter table distribution_snapshot add column audit_leaf_index bigint;
alter table distribution_snapshot add column region_code text;
alter table distribution_snapshot add column municipality_code text;

create index distribution_snapshot_area_leaf_idx
  on distribution_snapshot (region_code, municipality_code, audit_leaf_index)
  where audit_leaf_index is not null;
create index distribution_snapshot_point_leaf_idx
  on distribution_snapshot (point_id, audit_leaf_index)
  where audit_leaf_index is not null;

comment on column distribution_snapshot.audit_leaf_index is 'Leaf index of the snapshot''s audit entry (on the point; it names the snapshot and the SHA-256 of entitlement_scope): the line each person the snapshot held sees in their access history. Null before migration 0148.';
comment on column distribution_snapshot.region_code is 'The point''s state when the snapshot was built (the area whose persons it held). Null before migration 0148.';
comment on column distribution_snapshot.municipality_code is 'The point''s municipality when the snapshot was built, or null for a state-wide point (and before migration 0148).';
