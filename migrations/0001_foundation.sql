-- Foundation: idempotent writes.
--
-- Devices (enrolment tablets, distribution points) retry writes over bad networks. Each
-- retryable write carries a client-generated id; the first result is kept here and a retry
-- with the same id and the same body gets it again, a different body is refused (409).

create table idempotency_record (
  scope text not null,
  key uuid not null,
  request_sha256 bytea not null check (octet_length(request_sha256) = 32),
  response_status smallint not null check (response_status between 200 and 599),
  response_body jsonb not null,
  created_at timestamptz not null default now(),
  primary key (scope, key)
);

comment on table idempotency_record is
  'First result of each retryable write, keyed by operation and client-generated id. Holds identifiers only, never personal attributes.';
comment on column idempotency_record.scope is 'The operation, e.g. registry.enrol.';
comment on column idempotency_record.key is 'Client-generated UUID sent with the write.';
comment on column idempotency_record.request_sha256 is 'SHA-256 of the canonical request body, to refuse a reused id with a different body.';
comment on column idempotency_record.response_status is 'HTTP status of the first response.';
comment on column idempotency_record.response_body is 'Body of the first response (identifiers only).';
comment on column idempotency_record.created_at is 'When the write was first performed.';

-- Expired records are pruned by the application; they hold no personal data.
grant select, insert, delete on idempotency_record to amparo_app;
