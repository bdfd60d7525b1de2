-- A worker killed in the middle of a batch (issue 14, "kill -9 of the worker"): which of its
-- `sending` messages could the SMS centre have? A worker claims a batch (up to
-- claimBatchMax rows) but hands them to the provider a few at a time (handBatchMax). Before a
-- group goes to the provider its rows get `handed_at`, in one statement that also checks the
-- worker still holds them. After the lease, a `sending` row without `handed_at` was never
-- given to the provider: it goes back to the queue and is sent once. A row with `handed_at`
-- is ambiguous (the submit may have reached the centre and its answer died with the worker):
-- it fails as `interrupted`, never sent again (send too little rather than twice). Only the
-- last group of a dead worker can be ambiguous, never its whole batch.

alter table notification_outbox add column handed_at timestamptz;

comment on column notification_outbox.handed_at is 'When the worker that holds the claim handed it to the provider; null while claimed and not yet handed (a dead worker''s unhanded rows go back to the queue after the lease; handed ones fail as interrupted).';
comment on column notification_outbox.claimed_at is 'When a worker claimed it. After the lease a sending message not yet handed to the provider is queued again; one handed fails as interrupted, never sent again.';

grant update (handed_at) on notification_outbox to amparo_app;
