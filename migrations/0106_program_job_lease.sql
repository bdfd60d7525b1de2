-- Grants resume when the server starts. A grant (the entitlements written after a cycle's
-- approval, in the background) stopped by a crash used to resume only when the cycle was
-- published or disbursed. The server now resumes pending grants as it starts, one process at a
-- time: the process that holds this lease does it, renewing it after each chunk. A lease, not a
-- session's advisory lock: a grant is many transactions on pooled connections, and the embedded
-- database (PGlite) has one connection that the grant itself needs. A holder that dies leaves
-- its lease to expire; two holders at once (a lease that expired under load) would still write
-- no entitlement twice (each chunk runs under the cycle's row lock, and a repeat writes nothing).
create table program_job_lease (
  name text primary key check (name ~ '^[a-z][a-z_]{0,39}$'),
  holder uuid not null,
  expires_at timestamptz not null
);

comment on table program_job_lease is 'Which server process runs a programs job that one process at a time should run (resuming stopped grants at start), until when; no personal data.';
comment on column program_job_lease.name is 'The job, e.g. grant_resume.';
comment on column program_job_lease.holder is 'A random id of the process holding the lease (not an operator).';
comment on column program_job_lease.expires_at is 'The lease ends then unless renewed; released by setting it to the present.';

grant select, insert, update on program_job_lease to amparo_app;
