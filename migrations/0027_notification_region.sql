-- The operators' delivery dashboard (issue 14, point 7) is scoped by region like every other
-- operator view. A message keeps the state (ISO 3166-2:VE) of the person it was queued for,
-- given by the registry with the phone when it was queued: the dashboard counts and lists in
-- the operator's regions without reading any other module's table. Rows queued before this
-- migration have none and are shown to nobody on the dashboard.

alter table notification_outbox
  add column region_code text check (region_code ~ '^VE-[A-Z]$');

create index notification_outbox_region_day_idx on notification_outbox (region_code, created_at);

comment on column notification_outbox.region_code is 'ISO 3166-2:VE state of the person when the message was queued; scopes the delivery dashboard. Null for messages queued before migration 0027.';
