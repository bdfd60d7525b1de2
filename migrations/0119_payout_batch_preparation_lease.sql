-- A payout batch left `preparing` (the process died between writing the batch and finishing its
-- reservations and file) is resumed explicitly (POST /api/payouts/batches/:id/resumption) or by
-- the same request sent again. One process prepares a batch at a time: the one holding this
-- lease, taken when the batch is written (or when a resumption starts), renewed after each
-- chunk of reservations and released at the end. A lease, not an advisory lock: preparing is
-- many transactions on pooled connections, and PGlite has one connection. A holder that dies
-- leaves the lease to expire; then the batch is resumable and the console offers to resume it.
-- Two holders at once (a lease that expired under load) still reserve nothing twice: each
-- reservation's transfer id derives from its payment, and each chunk runs under the batch's lock.
alter table payout_batch add column prepare_holder uuid;
alter table payout_batch add column prepare_lease_until timestamptz;

comment on column payout_batch.prepare_holder is 'A random id of the run preparing the batch (not an operator); null before migration 0119.';
comment on column payout_batch.prepare_lease_until is 'While `preparing`, the run holding the lease prepares it until then unless renewed; past it (or null) the batch is resumable.';

grant update (prepare_holder, prepare_lease_until) on payout_batch to amparo_app;
