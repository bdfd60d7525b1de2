-- Operators: the staff who use Amparo. Every one has a password (argon2id) and a TOTP second
-- factor; roles are scoped to regions (ISO 3166-2:VE codes). Sign-in and sessions build on
-- this table.

create table operator (
  id uuid primary key,
  username text not null unique check (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
  display_name text not null check (char_length(display_name) between 1 and 120),
  password_hash text not null check (password_hash like '$argon2id$%'),
  totp_secret_sealed bytea not null,
  roles text[] not null check (
    cardinality(roles) >= 1
    and roles <@ array['enrolment_clerk', 'registry_supervisor', 'program_officer', 'distribution_operator', 'auditor', 'statistics_analyst', 'administrator']
  ),
  regions text[] not null check (cardinality(regions) >= 1),
  created_at timestamptz not null default now(),
  disabled_at timestamptz
);

comment on table operator is 'Staff accounts. Never deleted: an account that should no longer work is disabled.';
comment on column operator.id is 'Database key (UUID).';
comment on column operator.username is 'Sign-in name: lower case letters, digits, dot, dash, underscore.';
comment on column operator.display_name is 'Name shown in the console and in audit views.';
comment on column operator.password_hash is 'argon2id PHC string; the password itself is never stored.';
comment on column operator.totp_secret_sealed is 'RFC 6238 TOTP secret, AES-256-GCM under the master key with associated data operator|totp_secret|<id>.';
comment on column operator.roles is 'Roles held: enrolment_clerk, registry_supervisor, program_officer, distribution_operator, auditor, statistics_analyst, administrator.';
comment on column operator.regions is 'ISO 3166-2:VE codes the roles apply to.';
comment on column operator.created_at is 'When the account was created.';
comment on column operator.disabled_at is 'When the account was disabled; null while active.';

grant select, insert on operator to amparo_app;
grant update (display_name, password_hash, totp_secret_sealed, roles, regions, disabled_at) on operator to amparo_app;
