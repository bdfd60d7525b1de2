-- Offline devices of distribution points (issue #15, point 5, first part). A device makes its
-- Ed25519 key pair itself (WebCrypto, the private key never leaves it) and a supervisor registers
-- the public key for one point, with the device's signature over the registration as proof that
-- the key is held. Offline receipts will be verified with it; a revoked device's receipts are
-- refused. Revocation is the only change a row sees.

create table distribution_device (
  id uuid primary key,
  point_id uuid not null references distribution_point (id),
  public_key bytea not null unique check (octet_length(public_key) = 32),
  label text not null check (char_length(label) between 1 and 80),
  registered_by uuid not null,
  registered_at timestamptz not null,
  revoked_at timestamptz,
  revoked_by uuid,
  revocation_reason text check (revocation_reason is null or revocation_reason in ('lost', 'stolen', 'retired', 'compromised')),
  check ((revoked_at is null) = (revoked_by is null) and (revoked_at is null) = (revocation_reason is null))
);
create index distribution_device_point_idx on distribution_device (point_id);
comment on table distribution_device is 'A device registered to work offline at one distribution point, by its Ed25519 public key; revocable.';
comment on column distribution_device.id is 'Database key (UUID); offline receipts name it.';
comment on column distribution_device.point_id is 'The one point the device works for.';
comment on column distribution_device.public_key is 'Raw Ed25519 public key (32 bytes) made on the device.';
comment on column distribution_device.label is 'What the supervisor calls it (a phone''s asset tag).';
comment on column distribution_device.registered_by is 'The supervisor (operator id) who registered it.';
comment on column distribution_device.registered_at is 'When.';
comment on column distribution_device.revoked_at is 'When it was revoked; its receipts are refused from then on.';
comment on column distribution_device.revoked_by is 'The supervisor who revoked it.';
comment on column distribution_device.revocation_reason is 'lost, stolen, retired or compromised.';

grant select, insert on distribution_device to amparo_app;
grant update (revoked_at, revoked_by, revocation_reason) on distribution_device to amparo_app;
