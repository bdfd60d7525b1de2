-- One-time codes no longer sit in clear in the outbox (review finding F8). Until now a text's
-- parameters, sign-in and second-check codes included, were stored as they were: anyone holding
-- the application's database password could ask for a code for any ID number, read it from
-- notification_outbox.parameters and sign in as that person (or set their payment PIN), for the
-- code's lifetime; and a copy of the database kept every code ever sent.
--
-- Now the values a template declares secret (src/modules/notifications/templates.ts: every code)
-- are sealed like the phone: AES-256-GCM under the master key, which is not in the database,
-- with associated data notification_outbox|secret_parameters|<id>. Only the sending worker opens
-- them, just before it renders the text. Once a message ends — sent, delivered, failed, expired
-- or cancelled — the trigger below clears the sealed value, so not even the master key recovers
-- an old code; a check says the same. The application role gets no UPDATE on the column: the
-- trigger is the only thing that changes it.

alter table notification_outbox add column secret_parameters_sealed bytea;
alter table notification_outbox add constraint notification_outbox_secret_live_check
  check (secret_parameters_sealed is null or status in ('queued', 'sending'));

comment on column notification_outbox.secret_parameters_sealed is 'The template''s secret values (a one-time code) as a JSON object, AES-256-GCM under the master key with associated data notification_outbox|secret_parameters|<id>; opened only by the sending worker. Null when the template has none, and cleared (trigger notification_outbox_transition) as soon as the message is sent, delivered, failed, expired or cancelled.';
comment on column notification_outbox.parameters is 'The template''s clear values (a place, a date, a reference, an amount); never personal attributes, and never a secret value such as a code (secret_parameters_sealed, migration 0142).';
comment on table notification_outbox is 'Messages waiting to be sent, and those sent; a sending worker picks queued rows. Holds no personal data and no code in clear: the phone and the one-time codes are sealed, and the codes cleared once the message ends.';

-- Rows queued before this migration hold their code in clear, and SQL cannot seal it (the master
-- key is not in the database). A code lives ten to fifteen minutes: one still waiting, or claimed
-- and not yet handed to a provider, is expired (the person asks for another), and the code is
-- taken out of every row. Until now every secret value was named `code`. A worker that had
-- handed a message already rendered its text; one running the previous version and still to
-- render a claimed message finds it expired.
update notification_outbox
  set status = 'expired', failed_at = now(), failure_reason = 'expired'
  where (parameters ->> 'code') is not null
    and (status = 'queued' or (status = 'sending' and handed_at is null));
update notification_outbox set parameters = parameters - 'code'
  where (parameters ->> 'code') is not null;

create or replace function notification_outbox_transition() returns trigger
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
  -- A message that ended needs its secret values no more: cleared, whoever ended it (the
  -- worker, the expiry or opt-out pass, an erasure), so no key opens an old code (migration 0142).
  if new.status not in ('queued', 'sending') then
    new.secret_parameters_sealed := null;
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
