-- Assisted redemption without the card (issue #15, point 4; safeguard 9). A person whose card is
-- lost, damaged, not yet issued or never was is found by their ID number and proven by a second
-- check: a one-time code texted to the phone on file (kept only as a keyed hash, single-use,
-- short-lived), the photo on file shown to the operator with the operator's attestation, or a
-- household member's valid card. Each attempt is one row: who, where, why, how, and whether the
-- check passed; redemptions made under it reference it (redemption.assisted_id). The rows are
-- counted per operator per UTC day against a bound, and listed for the supervisor.

create table assisted_redemption (
  id uuid primary key,
  point_id uuid not null references distribution_point (id),
  operator_id uuid not null,
  person_id uuid not null references person (id),
  reason text not null check (reason in ('lost', 'not_yet_issued', 'damaged', 'never_had')),
  method text not null check (method in ('phone_code', 'photo_attested', 'household_card')),
  code_hash bytea,
  code_expires_at timestamptz,
  code_attempts integer not null default 0 check (code_attempts >= 0),
  household_credential_id bytea,
  started_at timestamptz not null,
  started_day date not null,
  verified_at timestamptz,
  failed_at timestamptz,
  check ((method = 'phone_code') = (code_hash is not null and code_expires_at is not null)),
  check (household_credential_id is null or method = 'household_card'),
  check (verified_at is null or failed_at is null)
);
create index assisted_redemption_operator_day_idx on assisted_redemption (operator_id, started_day);
create index assisted_redemption_point_idx on assisted_redemption (point_id, started_at);
create index assisted_redemption_person_idx on assisted_redemption (person_id);
comment on table assisted_redemption is 'One redemption without the card: the person found by ID number, the reason, the second check and its outcome.';
comment on column assisted_redemption.id is 'Database key (UUID); redemptions under it reference it.';
comment on column assisted_redemption.point_id is 'Where it was started; the check is valid at this point only.';
comment on column assisted_redemption.operator_id is 'The operator who started it; the check is valid for this operator only.';
comment on column assisted_redemption.person_id is 'The person named by the ID number.';
comment on column assisted_redemption.reason is 'Why there is no card: lost, not_yet_issued, damaged, never_had.';
comment on column assisted_redemption.method is 'The second check: phone_code, photo_attested or household_card.';
comment on column assisted_redemption.code_hash is 'HMAC-SHA256 of the texted code (key derived from the master key, bound to this id); never the code.';
comment on column assisted_redemption.code_expires_at is 'After this the code is refused.';
comment on column assisted_redemption.code_attempts is 'Wrong codes entered; the check fails at the bound.';
comment on column assisted_redemption.household_credential_id is 'The household member''s card that was scanned (method household_card).';
comment on column assisted_redemption.started_at is 'When the operator started it.';
comment on column assisted_redemption.started_day is 'The UTC day of started_at, counted against the operator''s daily bound.';
comment on column assisted_redemption.verified_at is 'When the second check passed (once; a code is not accepted twice).';
comment on column assisted_redemption.failed_at is 'When the check failed for good (too many wrong codes, or the code expired).';

alter table redemption
  add constraint redemption_assisted_fk foreign key (assisted_id) references assisted_redemption (id);

grant select, insert on assisted_redemption to amparo_app;
grant update (code_attempts, household_credential_id, verified_at, failed_at) on assisted_redemption to amparo_app;
