-- The person is texted when a hold on their entitlement lapses by itself (docs/DISTRIBUTION.md,
-- "Holds"). The lapse stays read, not written (`lapses_at` compared with now, migration 0151):
-- the entitlement is redeemable again at `lapses_at` whether or not anything below has run. What
-- is written is only that the person was told: the server's lapse sweep inserts one row per
-- lapsed hold, in the same transaction as the text it queues, and queues the text only when its
-- own insert wrote the row. The primary key makes that once per hold across restarts and across
-- two server processes sweeping at the same time (the second insert waits for the first and
-- then writes nothing). A hold lifted before its lapse gets the lift's text, never this one.

create table entitlement_hold_lapse_notice (
  hold_id uuid primary key references entitlement_hold (id),
  noticed_at timestamptz not null
);

comment on table entitlement_hold_lapse_notice is 'A hold that lapsed by itself and whose holder was texted so (distribution.entitlement_hold_lapsed), at most once per hold. Written by the lapse sweep with the text in one transaction. Append-only.';
comment on column entitlement_hold_lapse_notice.hold_id is 'The lapsed hold (at most one row per hold: the text is queued once).';
comment on column entitlement_hold_lapse_notice.noticed_at is 'When the sweep queued the text (the lapse itself is the hold''s lapses_at).';

create trigger entitlement_hold_lapse_notice_no_change before update or delete on entitlement_hold_lapse_notice
  for each row execute function distribution_history_immutable();

-- The sweep looks for holds lapsed within its window, oldest first.
create index entitlement_hold_lapses_idx on entitlement_hold (lapses_at);

grant select, insert on entitlement_hold_lapse_notice to amparo_app;
