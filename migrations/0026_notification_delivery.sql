-- Text messages that arrive (issue 14): the outbox's state machine, the provider's ids for each
-- part of a message, delivery receipts kept once, and the phones that replied BAJA or STOP.
--
-- A message moves forward only: queued → sending → sent → delivered, or failed, expired or
-- cancelled. The one step back, sending → queued, is a retry after the provider refused the
-- message before accepting it (so it was not sent). A trigger refuses every other move, so no
-- bug in a worker or a receipt handler can turn a failed message into a delivered one, or send
-- a message a second time once it was sent.

alter table notification_outbox
  add column status text not null default 'queued'
    check (status in ('queued', 'sending', 'sent', 'delivered', 'failed', 'expired', 'cancelled')),
  add column language text not null default 'es' check (language in ('es', 'en')),
  add column requested boolean not null default false,
  add column recipient_digest bytea,
  add column expires_at timestamptz,
  add column attempts integer not null default 0 check (attempts >= 0),
  add column next_attempt_at timestamptz,
  add column claimed_at timestamptz,
  add column provider text check (provider ~ '^[a-z0-9_-]{1,32}$'),
  add column segments integer check (segments > 0),
  add column delivered_at timestamptz,
  add column failed_at timestamptz,
  add column failure_reason text check (failure_reason ~ '^[a-z0-9_]{1,40}$');

update notification_outbox set status = case
  when cancelled_at is not null then 'cancelled'
  when sent_at is not null then 'sent'
  else 'queued' end;

create index notification_outbox_due_idx on notification_outbox (created_at)
  where status = 'queued';
create index notification_outbox_sending_idx on notification_outbox (claimed_at)
  where status = 'sending';
create index notification_outbox_digest_idx on notification_outbox (recipient_digest)
  where recipient_digest is not null;

comment on column notification_outbox.status is 'queued, sending (claimed by a worker), sent (the provider accepted it), delivered, failed, expired (not sent before expires_at) or cancelled (the person was erased). Moves forward only (trigger notification_outbox_transition).';
comment on column notification_outbox.language is 'The language the text is rendered in: the person''s preferred language when the message was queued.';
comment on column notification_outbox.requested is 'True for a message the person asked for (their sign-in code): sent despite an opt-out, quiet hours or the per-recipient rate limit.';
comment on column notification_outbox.recipient_digest is 'Keyed hash (blind index) of the phone number, to honour an opt-out without opening the recipient; blanked with the recipient.';
comment on column notification_outbox.expires_at is 'Never sent after this time (a sign-in code is worth nothing after its 10 minutes).';
comment on column notification_outbox.attempts is 'How many times a worker claimed the message.';
comment on column notification_outbox.next_attempt_at is 'Not claimed before this time (backoff after a refused attempt, quiet hours).';
comment on column notification_outbox.claimed_at is 'When a worker claimed it; a message left sending longer than the lease is failed as interrupted, never sent again.';
comment on column notification_outbox.provider is 'The provider that accepted it (file, webhook, smpp).';
comment on column notification_outbox.segments is 'Parts the text was sent in (GSM-7 or UCS-2 segments).';
comment on column notification_outbox.delivered_at is 'When every part was reported delivered.';
comment on column notification_outbox.failed_at is 'When the message failed (refused, a part reported undelivered, interrupted, opted out).';
comment on column notification_outbox.failure_reason is 'Why it failed or expired, a code (provider_refused, part_undeliverable, interrupted, opted_out, too_long, not_e164 …); never the text.';

create function notification_outbox_transition() returns trigger
  language plpgsql
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  -- An erasure (erase_person_records) cancels what was not sent and blanks every recipient.
  if new.cancelled_at is not null and old.cancelled_at is null and old.status in ('queued', 'sending') then
    new.status := 'cancelled';
  end if;
  if new.recipient_sealed is null then
    new.recipient_digest := null;
  end if;
  if new.status = old.status then
    return new;
  end if;
  if (old.status = 'queued' and new.status in ('sending', 'failed', 'expired', 'cancelled'))
    or (old.status = 'sending' and new.status in ('queued', 'sent', 'failed', 'expired', 'cancelled'))
    or (old.status = 'sent' and new.status in ('delivered', 'failed'))
    or (old.status = 'delivered' and new.status = 'failed') then
    return new;
  end if;
  raise exception 'notification % cannot move from % to %', old.id, old.status, new.status
    using errcode = '23514';
end;
$$;

create trigger notification_outbox_transition before update on notification_outbox
  for each row execute function notification_outbox_transition();

grant update (status, attempts, next_attempt_at, claimed_at, provider, segments, delivered_at,
  failed_at, failure_reason) on notification_outbox to amparo_app;

create table notification_part (
  message_id uuid not null references notification_outbox (id),
  part integer not null check (part between 1 and 255),
  provider text not null check (provider ~ '^[a-z0-9_-]{1,32}$'),
  provider_message_id text not null check (length(provider_message_id) between 1 and 128),
  status text not null default 'sent' check (status in ('sent', 'delivered', 'failed')),
  updated_at timestamptz not null,
  primary key (message_id, part),
  unique (provider, provider_message_id)
);

comment on table notification_part is 'Each part (segment) of a sent message as the provider named it, so that a receipt finds its message.';
comment on column notification_part.message_id is 'The message (notification_outbox.id).';
comment on column notification_part.part is 'Which part, from 1.';
comment on column notification_part.provider is 'The provider that accepted the part.';
comment on column notification_part.provider_message_id is 'The id the provider gave the part (SMPP message_id, the gateway''s id).';
comment on column notification_part.status is 'sent, delivered or failed; moves forward only, and failed beats delivered.';
comment on column notification_part.updated_at is 'When the status last changed.';

create table notification_receipt (
  id uuid primary key,
  provider text not null check (provider ~ '^[a-z0-9_-]{1,32}$'),
  provider_message_id text not null check (length(provider_message_id) between 1 and 128),
  status text not null check (status in ('delivered', 'failed')),
  received_at timestamptz not null,
  unique (provider, provider_message_id, status)
);

comment on table notification_receipt is 'Delivery receipts as they arrived, each (provider, id, status) once: a repeated receipt changes nothing.';
comment on column notification_receipt.id is 'Database key (UUID).';
comment on column notification_receipt.provider is 'Which provider sent the receipt.';
comment on column notification_receipt.provider_message_id is 'The part''s id at the provider; may name no part we know (answered 200 and kept).';
comment on column notification_receipt.status is 'delivered or failed (the provider''s states mapped to these two).';
comment on column notification_receipt.received_at is 'When the receipt arrived.';

create table notification_opt_out (
  recipient_digest bytea primary key,
  keyword text not null check (keyword in ('BAJA', 'STOP')),
  opted_out_at timestamptz not null
);

comment on table notification_opt_out is 'Phones that replied BAJA or STOP: nothing more is sent to them except sign-in codes the person asks for.';
comment on column notification_opt_out.recipient_digest is 'Keyed hash (blind index) of the phone number; the number itself is not kept.';
comment on column notification_opt_out.keyword is 'The word the person replied.';
comment on column notification_opt_out.opted_out_at is 'When the reply arrived.';

grant select, insert on notification_part, notification_receipt, notification_opt_out to amparo_app;
grant update (status, updated_at) on notification_part to amparo_app;
