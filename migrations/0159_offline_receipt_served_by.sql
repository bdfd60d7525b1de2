-- The operator who made an offline hand-over, kept (session 21). Since format v4 (migration 0144)
-- every receipt the sync counts is signed naming the operator who unlocked the device and handed
-- the goods over (`servedBy`), checked against the point's operators at the receipt's time; the
-- sync kept no trace of it, so separation of duties (reconciliation/own-hand-overs.ts) attributed
-- each offline receipt to the operator its snapshot was issued to — a colleague's hand-over on a
-- shared device counted as the issuer's. Now the signed operator is kept; receipts synced before
-- are null and keep the snapshot's issuer as before (the best the data holds for them).

alter table offline_receipt add column served_by uuid;
comment on column offline_receipt.served_by is 'The operator the device signed into the receipt as having made the hand-over (format v4 `servedBy`); null for receipts synced before migration 0159 (their snapshot''s issuer stands for it).';
