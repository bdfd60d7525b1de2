-- Authentication: sessions and device tokens, sign-in attempts (lock-out and throttling),
-- TOTP replay protection, one-time sign-in codes for citizens, and the notification outbox
-- that carries those codes by SMS.
--
-- Session and device tokens are 256-bit random values; only their SHA-256 is stored, so a
-- copy of this database does not let anyone sign in. Nothing here is deleted by the
-- application except expired sign-in attempt counters: a session ends by revocation.

alter table operator add column totp_last_step bigint check (totp_last_step is null or totp_last_step >= 0);
comment on column operator.totp_last_step is 'RFC 6238 time step (Unix time / 30 s) of the last accepted TOTP code; a code for this step or an earlier one is refused, so a code cannot be replayed.';
grant update (totp_last_step) on operator to amparo_app;

create table auth_session (
  id uuid primary key,
  kind text not null check (kind in ('console', 'device', 'citizen')),
  operator_id uuid references operator (id),
  person_id uuid references person (id),
  token_sha256 bytea not null unique check (octet_length(token_sha256) = 32),
  label text check (label is null or char_length(label) between 1 and 80),
  created_at timestamptz not null,
  expires_at timestamptz not null check (expires_at > created_at),
  last_seen_at timestamptz not null,
  revoked_at timestamptz,
  check ((kind = 'citizen') = (person_id is not null)),
  check ((kind = 'citizen') = (operator_id is null)),
  check ((kind = 'device') = (label is not null))
);
create index auth_session_operator_idx on auth_session (operator_id, kind) where operator_id is not null;
create index auth_session_person_idx on auth_session (person_id) where person_id is not null;

comment on table auth_session is 'Server-side sessions: console sign-ins (cookie), device and API tokens (bearer) of operators, and citizen sign-ins. Ended by revocation or expiry, never deleted.';
comment on column auth_session.id is 'Database key (UUID); recorded in audit entries as the session that acted.';
comment on column auth_session.kind is 'console (operator in a browser), device (operator bearer token for a tablet or API client), citizen (a person signed in as themself).';
comment on column auth_session.operator_id is 'The operator, for console and device sessions.';
comment on column auth_session.person_id is 'The person, for citizen sessions.';
comment on column auth_session.token_sha256 is 'SHA-256 of the 256-bit random token; the token itself is never stored.';
comment on column auth_session.label is 'Name the operator gave a device token (e.g. "Tablet 3, Petare office"); null for other kinds.';
comment on column auth_session.created_at is 'When the session or token was created.';
comment on column auth_session.expires_at is 'Absolute end of validity.';
comment on column auth_session.last_seen_at is 'Last request made with it (written at most once a minute); console and citizen sessions end after a period of idleness.';
comment on column auth_session.revoked_at is 'When it was revoked (sign-out, explicit revocation, password change); null while valid.';

create table sign_in_attempt (
  id uuid primary key,
  kind text not null check (kind in ('operator', 'citizen')),
  subject_digest bytea not null check (octet_length(subject_digest) = 16),
  address_digest bytea not null check (octet_length(address_digest) = 16),
  outcome text not null check (outcome in ('pending', 'success', 'failure', 'refused')),
  attempted_at timestamptz not null
);
create index sign_in_attempt_subject_idx on sign_in_attempt (kind, subject_digest, attempted_at);
create index sign_in_attempt_address_idx on sign_in_attempt (kind, address_digest, attempted_at);
create index sign_in_attempt_time_idx on sign_in_attempt (attempted_at);

comment on table sign_in_attempt is 'Counters for sign-in lock-out and per-address throttling, shared by every server process. Keyed by keyed hashes only, so it names no one; rows older than the lock-out window are pruned.';
comment on column sign_in_attempt.id is 'Database key (UUID).';
comment on column sign_in_attempt.kind is 'operator (username, password, TOTP) or citizen (ID number and one-time code).';
comment on column sign_in_attempt.subject_digest is 'Truncated HMAC of the username or ID number as typed (which may be someone''s password typed in the wrong field, so it is never stored in clear).';
comment on column sign_in_attempt.address_digest is 'Truncated HMAC of the client address.';
comment on column sign_in_attempt.outcome is 'pending while being checked (counted as a failure, so parallel guesses cannot exceed the limit), then success, failure or refused (locked or throttled, not counted).';
comment on column sign_in_attempt.attempted_at is 'When the attempt began.';

create table citizen_sign_in_code (
  id uuid primary key,
  person_id uuid not null references person (id),
  channel text not null check (channel in ('sms', 'slip')),
  code_hmac bytea not null check (octet_length(code_hmac) = 32),
  issued_by uuid references operator (id),
  created_at timestamptz not null,
  expires_at timestamptz not null check (expires_at > created_at),
  attempts smallint not null default 0 check (attempts >= 0),
  consumed_at timestamptz,
  superseded_at timestamptz,
  check ((channel = 'slip') = (issued_by is not null))
);
create index citizen_sign_in_code_person_idx on citizen_sign_in_code (person_id, created_at);

comment on table citizen_sign_in_code is 'One-time sign-in codes for citizens (6 digits, 10 minutes, single use, 5 tries), sent by SMS or printed on a slip at an office.';
comment on column citizen_sign_in_code.id is 'Database key (UUID).';
comment on column citizen_sign_in_code.person_id is 'The person the code signs in.';
comment on column citizen_sign_in_code.channel is 'sms (to the phone on file, through notification_outbox) or slip (printed by an enrolment clerk).';
comment on column citizen_sign_in_code.code_hmac is 'HMAC-SHA-256 of person id and code under a key derived from the master key; the code itself is never stored here.';
comment on column citizen_sign_in_code.issued_by is 'The clerk who printed a slip; null for SMS codes.';
comment on column citizen_sign_in_code.created_at is 'When the code was issued.';
comment on column citizen_sign_in_code.expires_at is 'When the code stops working.';
comment on column citizen_sign_in_code.attempts is 'Verification attempts made against this code; at the limit the code is dead.';
comment on column citizen_sign_in_code.consumed_at is 'When the code was used to sign in; a code works once.';
comment on column citizen_sign_in_code.superseded_at is 'When a newer code for the same person replaced this one.';

create table notification_outbox (
  id uuid primary key,
  channel text not null check (channel in ('sms')),
  recipient_sealed bytea not null,
  template_id text not null check (template_id ~ '^[a-z0-9_.]{1,64}$'),
  parameters jsonb not null check (jsonb_typeof(parameters) = 'object'),
  created_at timestamptz not null,
  sent_at timestamptz
);
create index notification_outbox_unsent_idx on notification_outbox (created_at) where sent_at is null;

comment on table notification_outbox is 'Messages waiting to be sent; a sending worker picks unsent rows. Holds no personal data in clear.';
comment on column notification_outbox.id is 'Database key (UUID).';
comment on column notification_outbox.channel is 'sms.';
comment on column notification_outbox.recipient_sealed is 'The phone number, AES-256-GCM under the master key with associated data notification_outbox|recipient|<id>.';
comment on column notification_outbox.template_id is 'Which message text (translated by the worker), e.g. citizen.sign_in_code.';
comment on column notification_outbox.parameters is 'Values for the template; never personal attributes (a sign-in code at most).';
comment on column notification_outbox.created_at is 'When the message was queued.';
comment on column notification_outbox.sent_at is 'When the provider accepted it; null while waiting.';

grant select, insert on auth_session, citizen_sign_in_code, notification_outbox to amparo_app;
grant update (last_seen_at, revoked_at) on auth_session to amparo_app;
grant update (attempts, consumed_at, superseded_at) on citizen_sign_in_code to amparo_app;
grant update (sent_at) on notification_outbox to amparo_app;
-- Attempt counters name no one (keyed hashes) and are pruned once outside the window.
grant select, insert, delete on sign_in_attempt to amparo_app;
grant update (outcome) on sign_in_attempt to amparo_app;
