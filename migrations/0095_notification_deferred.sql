-- Notices whose recipient is resolved when they are sent, not when they are queued (session 11,
-- issue #15 throughput). A redemption used to read the person's current version, unwrap their
-- data key and open their attributes for the phone and language, then seal the phone again
-- for the outbox, all inside its transaction: about a sixth of the server's CPU per
-- redemption. It now keeps the notice here (the person and the template's values), in the
-- same commit; the outbox worker reads the contacts of a batch of them at once, queues the
-- messages in `notification_outbox` under the same ids, and marks them resolved. A person with
-- no phone, no longer active, or erased by then gets no message (as before, nothing is queued).
create table notification_deferred (
  id uuid primary key,
  person_id uuid not null references person (id),
  notice jsonb not null,
  created_at timestamptz not null,
  resolved_at timestamptz
);

create index notification_deferred_due_idx on notification_deferred (created_at)
  where resolved_at is null;

comment on table notification_deferred is 'Notices to a person waiting for the outbox worker to read the person''s phone and language; the message, when one is queued, has the same id in notification_outbox. Holds no personal data in clear.';
comment on column notification_deferred.id is 'Database key (UUID); also the id of the message queued for it.';
comment on column notification_deferred.person_id is 'The person the notice is for.';
comment on column notification_deferred.notice is 'The notice: its event and the template''s typed values (a place, a date, a receipt reference), never a personal attribute; checked against both languages'' templates when kept.';
comment on column notification_deferred.created_at is 'When the notice was kept (in the transaction of the change that caused it); the message is queued as of this time.';
comment on column notification_deferred.resolved_at is 'When a worker resolved it: a message was queued under the same id, or none (no phone, not active, erased).';

grant select, insert on notification_deferred to amparo_app;
grant update (resolved_at) on notification_deferred to amparo_app;
