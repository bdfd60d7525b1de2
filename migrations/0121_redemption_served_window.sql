-- The offline snapshot carries, beside the entitled persons of the point's area, the persons the
-- point served before (snapshot-builder.ts). Reading every redemption the point ever made grew
-- without bound; now only those of the last `limits.distribution.offline.servedWindowMs` are read:
-- a range of (point_id, redeemed_at). The person is in the index, so the range is read from the
-- index alone. It replaces redemption_point_idx (0051), whose key columns it repeats.

create index redemption_point_served_idx on redemption (point_id, redeemed_at) include (person_id);
drop index redemption_point_idx;
