-- The secret key of the noise on published statistics (issue #17, point 3: differencing).
-- A published count is its true count plus discrete Gaussian noise drawn from a stream keyed
-- with this key and labelled by the table, the cell and the count, so a cell keeps its value
-- while its count does not change and shows a fresh draw when it does. Written once by the
-- first refresh; never changed (a new key would redraw every cell and let an attacker average
-- two draws of the same count). Readable by the application only, never answered by a route.
create table statistics_noise_key (
  id smallint primary key check (id = 1),
  secret bytea not null check (octet_length(secret) = 32),
  created_at timestamptz not null default now()
);
comment on table statistics_noise_key is 'The one secret key of the noise on published statistics counts (issue #17); written once by the first refresh, never changed or answered.';
comment on column statistics_noise_key.id is 'Always 1: there is one key.';
comment on column statistics_noise_key.secret is '32 random bytes: the HMAC-SHA-256 key of the noise streams.';
comment on column statistics_noise_key.created_at is 'When the first refresh wrote it.';
grant select, insert on statistics_noise_key to amparo_app;
